using FanPin.Policies;

namespace FanPin.Registry.Domain;

/// <summary>
/// The order of the identification steps (核实—评议—比对—公示—录入) and which of them a province runs:
/// small pure functions, so that every combination of switches is tested by a table.
/// </summary>
public static class IdentificationProcedure
{
    private static readonly IdentificationState[] Order =
    [
        IdentificationState.AwaitingHomeVerification,
        IdentificationState.AwaitingDemocraticAppraisal,
        IdentificationState.AwaitingDataComparison,
        IdentificationState.AwaitingPublicNotice,
        IdentificationState.AwaitingEntry,
    ];

    /// <summary>Whether the policy runs the step a state waits for (entry always runs).</summary>
    public static bool Runs(IdentificationPolicy policy, IdentificationState step) => step switch
    {
        IdentificationState.AwaitingHomeVerification => policy.HomeVerification.Enabled,
        IdentificationState.AwaitingDemocraticAppraisal => policy.DemocraticAppraisal.Enabled,
        IdentificationState.AwaitingDataComparison => policy.DataComparison.Enabled,
        IdentificationState.AwaitingPublicNotice or IdentificationState.UnderPublicNotice => policy.PublicNotice.Enabled,
        _ => true,
    };

    /// <summary>The first step of a new (or reopened) case.</summary>
    public static IdentificationState First(IdentificationPolicy policy) => Order.First(s => Runs(policy, s));

    /// <summary>The step after <paramref name="completed"/>: the next one the policy runs.</summary>
    public static IdentificationState After(IdentificationPolicy policy, IdentificationState completed)
    {
        var position = Array.IndexOf(Order, completed == IdentificationState.UnderPublicNotice ? IdentificationState.AwaitingPublicNotice : completed);
        if (position < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(completed), completed, "not a step");
        }
        return Order.Skip(position + 1).First(s => Runs(policy, s));
    }

    /// <summary>True for the states of a case still in progress.</summary>
    public static bool IsOpen(IdentificationState state) => state is not (IdentificationState.Entered or IdentificationState.Rejected);
}

/// <summary>The order of the closing steps (民主评议—乡镇审核—公示—标注) as the province switches them.</summary>
public static class ClosingProcedure
{
    private static readonly ClosingState[] Order =
    [
        ClosingState.AwaitingDemocraticAppraisal,
        ClosingState.AwaitingTownshipReview,
        ClosingState.AwaitingPublicNotice,
        ClosingState.AwaitingElimination,
    ];

    /// <summary>Whether the policy runs the step a state waits for (the county's marking always runs).</summary>
    public static bool Runs(ClosingPolicy policy, ClosingState step) => step switch
    {
        ClosingState.AwaitingDemocraticAppraisal => policy.DemocraticAppraisal,
        ClosingState.AwaitingTownshipReview => policy.TownshipReview,
        ClosingState.AwaitingPublicNotice or ClosingState.UnderPublicNotice => policy.PublicNotice.Enabled,
        _ => true,
    };

    /// <summary>The first step.</summary>
    public static ClosingState First(ClosingPolicy policy) => Order.First(s => Runs(policy, s));

    /// <summary>The step after <paramref name="completed"/>.</summary>
    public static ClosingState After(ClosingPolicy policy, ClosingState completed)
    {
        var position = Array.IndexOf(Order, completed == ClosingState.UnderPublicNotice ? ClosingState.AwaitingPublicNotice : completed);
        if (position < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(completed), completed, "not a step");
        }
        return Order.Skip(position + 1).First(s => Runs(policy, s));
    }

    /// <summary>True for the states of a case still in progress.</summary>
    public static bool IsOpen(ClosingState state) => state is not (ClosingState.RiskEliminated or ClosingState.Rejected);

    /// <summary>Whole months from <paramref name="since"/> to <paramref name="today"/> (a month counts once its day is reached).</summary>
    public static int WholeMonthsBetween(DateOnly since, DateOnly today)
    {
        var months = (today.Year - since.Year) * 12 + today.Month - since.Month;
        if (today.Day < since.Day && today.Day < DateTime.DaysInMonth(today.Year, today.Month))
        {
            months--;
        }
        return Math.Max(0, months);
    }
}
