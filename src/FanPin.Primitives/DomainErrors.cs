namespace FanPin;

/// <summary>
/// Errors a use case raises for the caller's input or the current state. The gRPC layer maps each to its
/// status (INVALID_ARGUMENT with field violations, NOT_FOUND, FAILED_PRECONDITION, ALREADY_EXISTS), so
/// domain code never depends on the transport.
/// </summary>
public abstract class DomainException(string message) : Exception(message);

/// <summary>One invalid field: its path in the request (e.g. <c>members[2].id_number</c>) and why.</summary>
public sealed record FieldViolation(string Field, string Description);

/// <summary>The request is invalid (INVALID_ARGUMENT). Names every offending field.</summary>
public sealed class ValidationFailedException(IReadOnlyList<FieldViolation> violations)
    : DomainException(string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}")))
{
    /// <summary>A single invalid field.</summary>
    public ValidationFailedException(string field, string description)
        : this([new FieldViolation(field, description)])
    {
    }

    /// <summary>The offending fields.</summary>
    public IReadOnlyList<FieldViolation> Violations { get; } = violations;
}

/// <summary>A named thing does not exist, or not inside the caller's view (NOT_FOUND).</summary>
public sealed class NotFoundException(string kind, string id)
    : DomainException($"{kind} {id} not found")
{
    /// <summary>What was looked for, e.g. "household".</summary>
    public string Kind { get; } = kind;

    /// <summary>Its identifier.</summary>
    public string Id { get; } = id;
}

/// <summary>The thing exists but its state does not allow this (FAILED_PRECONDITION). Names the current state.</summary>
public sealed class PreconditionFailedException(string message, string currentState)
    : DomainException($"{message} (current state: {currentState})")
{
    /// <summary>The state the thing is in now.</summary>
    public string CurrentState { get; } = currentState;
}

/// <summary>The thing to create exists already (ALREADY_EXISTS).</summary>
public sealed class AlreadyExistsException(string message) : DomainException(message);

/// <summary>Collects field violations while a request is checked, then throws them all at once.</summary>
public sealed class Validator
{
    private readonly List<FieldViolation> _violations = [];

    /// <summary>True when nothing was found wrong.</summary>
    public bool IsValid => _violations.Count == 0;

    /// <summary>Records a violation when <paramref name="condition"/> is false.</summary>
    public Validator Require(bool condition, string field, string description)
    {
        if (!condition)
        {
            _violations.Add(new FieldViolation(field, description));
        }
        return this;
    }

    /// <summary>Records a violation.</summary>
    public Validator Add(string field, string description)
    {
        _violations.Add(new FieldViolation(field, description));
        return this;
    }

    /// <summary>Throws <see cref="ValidationFailedException"/> with every violation, if any.</summary>
    public void ThrowIfInvalid()
    {
        if (_violations.Count > 0)
        {
            throw new ValidationFailedException(_violations.ToList());
        }
    }
}
