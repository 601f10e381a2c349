namespace FanPin.Registry.Domain;

/// <summary>Which kind of case a transition belongs to.</summary>
public enum CaseKind
{
    /// <summary>Identification (认定).</summary>
    Identification = 1,
    /// <summary>Closing (风险消除).</summary>
    Closing = 2,
}

/// <summary>Who acts on a case: subject, role and region scope as the token said; systems act as "system:&lt;name&gt;".</summary>
public sealed record Actor(string Subject, string Role)
{
    /// <summary>The monitoring service acting through an integration event.</summary>
    public static Actor System(string name) => new($"system:{name}", "system");
}

/// <summary>
/// The audit trail of a case: every transition with who, when and what (the step's inputs as JSON).
/// Appended, never changed.
/// </summary>
public sealed class CaseTransition
{
    private CaseTransition()
    {
    }

    internal CaseTransition(Guid caseId, CaseKind kind, string? fromState, string toState, string action, Actor actor, DateTimeOffset at, string details)
    {
        CaseId = caseId;
        CaseKind = kind;
        FromState = fromState;
        ToState = toState;
        Action = action;
        ActorSubject = actor.Subject;
        ActorRole = actor.Role;
        At = at;
        Details = details;
    }

    /// <summary>Sequence number.</summary>
    public long Id { get; private set; }

    /// <summary>The case.</summary>
    public Guid CaseId { get; private set; }

    /// <summary>Identification or closing.</summary>
    public CaseKind CaseKind { get; private set; }

    /// <summary>State before (null when opened).</summary>
    public string? FromState { get; private set; }

    /// <summary>State after.</summary>
    public string ToState { get; private set; } = "";

    /// <summary>What was done, e.g. <c>record_home_verification</c>.</summary>
    public string Action { get; private set; } = "";

    /// <summary>Who did it.</summary>
    public string ActorSubject { get; private set; } = "";

    /// <summary>In which role.</summary>
    public string ActorRole { get; private set; } = "";

    /// <summary>When.</summary>
    public DateTimeOffset At { get; private set; }

    /// <summary>The inputs of the step, as JSON.</summary>
    public string Details { get; private set; } = "{}";
}

/// <summary>A case whose new transitions are saved with it (the DbContext appends them to the trail).</summary>
public interface IAuditedCase
{
    /// <summary>Transitions recorded since load.</summary>
    IReadOnlyList<CaseTransition> NewTransitions { get; }

    /// <summary>Called once they are staged for saving.</summary>
    void ClearTransitions();
}
