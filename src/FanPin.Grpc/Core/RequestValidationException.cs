using Google.Rpc;

namespace FanPin.Grpc;

/// <summary>
/// The request is invalid: INVALID_ARGUMENT, with a <see cref="BadRequest"/> detail listing every
/// violation by field, so a client can show each message next to its input.
/// </summary>
public sealed class RequestValidationException : RpcException
{
    /// <summary>An error for one or more violations.</summary>
    public RequestValidationException(IReadOnlyList<FieldViolation> violations)
        : base(StatusCode.InvalidArgument, Summarize(violations), ToBadRequest(violations))
    {
        Violations = violations;
    }

    /// <summary>An error for one field.</summary>
    public RequestValidationException(string field, string description)
        : this([new FieldViolation(field, description)])
    {
    }

    /// <summary>The violations.</summary>
    public IReadOnlyList<FieldViolation> Violations { get; }

    private static string Summarize(IReadOnlyList<FieldViolation> violations)
    {
        if (violations.Count == 0)
        {
            throw new ArgumentException("A validation error needs at least one violation.", nameof(violations));
        }
        var first = $"{violations[0].Field}: {violations[0].Description}";
        return violations.Count == 1 ? first : $"{first} (and {violations.Count - 1} more)";
    }

    private static BadRequest ToBadRequest(IReadOnlyList<FieldViolation> violations)
    {
        var badRequest = new BadRequest();
        foreach (var v in violations)
        {
            badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = v.Field, Description = v.Description });
        }
        return badRequest;
    }
}

/// <summary>Collects violations while a request is checked, then throws them all at once.</summary>
public sealed class FieldViolations
{
    private readonly List<FieldViolation> _violations = [];

    /// <summary>True when nothing was added.</summary>
    public bool IsEmpty => _violations.Count == 0;

    /// <summary>Adds a violation.</summary>
    public FieldViolations Add(string field, string description)
    {
        _violations.Add(new FieldViolation(field, description));
        return this;
    }

    /// <summary>Adds a violation when <paramref name="invalid"/> is true.</summary>
    public FieldViolations AddIf(bool invalid, string field, string description) => invalid ? Add(field, description) : this;

    /// <summary>Throws <see cref="RequestValidationException"/> when any violation was added.</summary>
    public void ThrowIfAny()
    {
        if (_violations.Count > 0)
        {
            throw new RequestValidationException(_violations.ToArray());
        }
    }
}
