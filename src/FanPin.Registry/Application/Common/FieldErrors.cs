namespace FanPin.Registry.Application.Common;

/// <summary>
/// Collects field violations of a request (like <see cref="Validator"/>, plus a count so that a nested check
/// can tell whether it found anything), then throws them all at once as <see cref="ValidationFailedException"/>.
/// </summary>
public sealed class FieldErrors
{
    private readonly List<FieldViolation> _violations = [];

    /// <summary>Violations so far.</summary>
    public int Count => _violations.Count;

    /// <summary>The violations.</summary>
    public IReadOnlyList<FieldViolation> Violations => _violations;

    /// <summary>Records a violation when <paramref name="condition"/> is false.</summary>
    public FieldErrors Require(bool condition, string field, string description)
    {
        if (!condition)
        {
            _violations.Add(new FieldViolation(field, description));
        }
        return this;
    }

    /// <summary>Records a violation.</summary>
    public FieldErrors Add(string field, string description)
    {
        _violations.Add(new FieldViolation(field, description));
        return this;
    }

    /// <summary>Throws every violation, if any.</summary>
    public void ThrowIfAny()
    {
        if (_violations.Count > 0)
        {
            throw new ValidationFailedException(_violations.ToList());
        }
    }
}
