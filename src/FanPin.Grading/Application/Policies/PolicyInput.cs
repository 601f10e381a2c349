using FanPin.Policies;

namespace FanPin.Grading.Application.Policies;

/// <summary>Reads a policy document sent by a caller; every problem becomes a field violation under <c>document.</c>.</summary>
public static class PolicyInput
{
    /// <summary>Largest document accepted.</summary>
    public const int MaxDocumentLength = 256 * 1024;

    /// <summary>The parsed, validated policy, or <see cref="ValidationFailedException"/> naming every problem by its path.</summary>
    public static ProvincePolicy Parse(string? document)
    {
        if (string.IsNullOrWhiteSpace(document))
        {
            throw new ValidationFailedException("document", "is empty; send a policy document (YAML or JSON, docs/policies.md)");
        }
        if (document.Length > MaxDocumentLength)
        {
            throw new ValidationFailedException("document", $"is longer than {MaxDocumentLength} characters");
        }
        ProvincePolicy policy;
        try
        {
            policy = PolicyDocument.Parse(document, "document");
        }
        catch (PolicyValidationException ex)
        {
            throw new ValidationFailedException(ex.Errors.Select(e => new FieldViolation("document." + e.Path, e.Reason)).ToList());
        }
        if (policy.Province == ProvincePolicy.NationalDefault)
        {
            throw new ValidationFailedException("document.province", "\"00\" is the built-in national default; publish under a province's own code");
        }
        return policy;
    }
}
