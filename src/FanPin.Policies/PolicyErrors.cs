namespace FanPin.Policies;

/// <summary>One problem in a policy document: where (e.g. <c>monitoring.warning_lines.schooling.amount_fen</c>) and why.</summary>
public sealed record PolicyError(string Path, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Reason}";
}

/// <summary>A policy document that cannot be used; lists every problem found, not just the first.</summary>
public sealed class PolicyValidationException(string source, IReadOnlyList<PolicyError> errors)
    : Exception($"Policy {source} is invalid ({errors.Count} problem{(errors.Count == 1 ? "" : "s")}):{Environment.NewLine}"
        + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
{
    /// <summary>Where the document came from (a file name, "default", ...).</summary>
    public string Document { get; } = source;

    /// <summary>Every problem.</summary>
    public IReadOnlyList<PolicyError> Errors { get; } = errors;
}

/// <summary>A change to a province's published policies that would rewrite history.</summary>
public sealed class PolicyPublicationException(string message) : Exception(message);
