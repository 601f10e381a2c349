using FanPin.Assistance.Application.Catalogue;
using FanPin.Assistance.Application.Common;
using FanPin.Assistance.Domain;
using FanPin.Assistance.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Assistance.Application.Plans;

/// <summary>
/// Stores a household's latest warning (WarningRaised / WarningGradeChanged) and answers its recommendations.
/// The same warning content again is a no-op; a re-grade replaces the stored content.
/// </summary>
public sealed class RecordWarning(AssistanceDbContext db, AssistanceClock clock)
{
    /// <summary>
    /// Grading's sequence is per province (the first two digits of the region code): sequences of two provinces (a
    /// household that moved) are not comparable, and the later event is then taken as it comes.
    /// </summary>
    internal static bool SameProvince(string a, string b) => a.Length >= 2 && b.Length >= 2 && a.AsSpan(0, 2).SequenceEqual(b.AsSpan(0, 2));

    /// <summary>Runs the use case for a caller (the gRPC method).</summary>
    public async Task<IReadOnlyList<Recommendation>> HandleAsync(Caller caller, WarningInput warning, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "record warnings", AssistanceAccess.RecordWarning);
        RegionScope.Demand(caller, warning.Region);
        return await StoreAsync(warning, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores the warning (the event consumer calls this; it has no caller). <paramref name="sequence"/> is grading's
    /// position in its warning log: an event older than the one stored (out of order delivery) changes nothing.
    /// </summary>
    public async Task<IReadOnlyList<Recommendation>> StoreAsync(WarningInput warning, CancellationToken ct = default, long? sequence = null)
    {
        new Validator()
            .Require(warning.HouseholdId != Guid.Empty, "household_id", "is required")
            .Require(warning.WarningId != Guid.Empty, "warning_id", "is required")
            .Require(warning.Region.Level == RegionLevel.Village, "region_code", "must be a 12-digit village code")
            .Require(Enum.IsDefined(warning.Grade), "grade", "is required")
            .Require(warning.RiskTypes.All(Enum.IsDefined), "risk_types", "contains an unknown risk type")
            .Require(warning.MemberLabour.Count > 0 && warning.MemberLabour.All(Enum.IsDefined), "member_labour_abilities", "name the labour ability of every member")
            .Require(Enum.IsDefined(warning.Category), "category", "is required")
            .ThrowIfInvalid();
        return await PlanStore.WithHouseholdWarningLockedAsync(db, warning.HouseholdId, () => StoreLockedAsync(warning, sequence, ct), ct).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<Recommendation>> StoreLockedAsync(WarningInput warning, long? sequence, CancellationToken ct)
    {
        var stored = await db.Warnings.FirstOrDefaultAsync(w => w.HouseholdId == warning.HouseholdId, ct).ConfigureAwait(false);
        if (stored is null)
        {
            stored = new HouseholdWarning { HouseholdId = warning.HouseholdId };
            db.Warnings.Add(stored);
        }
        else if (sequence is { } incoming && stored.Sequence is { } known && incoming < known && SameProvince(stored.RegionCode, warning.Region.ToString()))
        {
            return Recommender.Recommend(stored.ToInput(), await ListMeasureTypes.CurrentAsync(db, ct).ConfigureAwait(false));
        }
        if (sequence is not null)
        {
            stored.Sequence = sequence;
        }
        // A new warning (or a re-grade) after clearing opens the household to plans again.
        stored.ClearedAt = null;
        // WarningGradeChanged keeps the warning's id with a new grade or new risks: the latest content wins;
        // the same content again (a redelivery) changes nothing.
        stored.WarningId = warning.WarningId;
        stored.RegionCode = warning.Region.ToString();
        stored.Grade = warning.Grade;
        stored.RiskTypes = warning.RiskTypes.Distinct().Order().ToList();
        stored.MemberLabour = warning.MemberLabour.ToList();
        stored.Category = warning.Category;
        if (db.ChangeTracker.HasChanges())
        {
            stored.ReceivedAt = clock.Now;
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        return Recommender.Recommend(stored.ToInput(), await ListMeasureTypes.CurrentAsync(db, ct).ConfigureAwait(false));
    }
}

/// <summary>Recommendations for a household.</summary>
public sealed record GetRecommendationsRequest(Guid HouseholdId);

/// <summary>"缺什么补什么" for a household's latest warning.</summary>
public sealed class GetRecommendations(AssistanceDbContext db)
{
    /// <summary>Runs the use case.</summary>
    public async Task<IReadOnlyList<Recommendation>> HandleAsync(Caller caller, GetRecommendationsRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "read recommendations", AssistanceAccess.Plan);
        var warning = await PlanStore.WarningForAsync(db, caller, request.HouseholdId, ct).ConfigureAwait(false);
        PlanStore.DemandNotCleared(warning);
        return Recommender.Recommend(warning.ToInput(), await ListMeasureTypes.CurrentAsync(db, ct).ConfigureAwait(false));
    }
}

/// <summary>One measure to confirm.</summary>
public sealed record PlannedMeasureInput(string MeasureCode, DateOnly? DueOn, long AmountFen, string? Note);

/// <summary>Measures to confirm into the household's plan; <paramref name="ExpectedVersion"/> is the version the caller saw (0: none).</summary>
public sealed record ConfirmPlanRequest(Guid HouseholdId, IReadOnlyList<PlannedMeasureInput> Measures, int ExpectedVersion);

/// <summary>
/// A township or county user confirms measures into the household's single plan (一户一策): the plan's
/// version rises and each measure becomes a task for its department or the township, due on the given date or
/// the measure's default working days from today. The household must have a warning. Raises TaskAssigned.
/// </summary>
public sealed class ConfirmPlan(AssistanceDbContext db, AssistanceClock clock, AssistancePolicies policies)
{
    /// <summary>Runs the use case.</summary>
    public async Task<PlanView> HandleAsync(Caller caller, ConfirmPlanRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "confirm plans", AssistanceAccess.Plan);
        var warning = await db.Warnings.AsNoTracking().FirstOrDefaultAsync(w => w.HouseholdId == request.HouseholdId, ct).ConfigureAwait(false)
            ?? throw new PreconditionFailedException($"household {request.HouseholdId} has no warning; a plan answers a warning (WarningRaised)", "NoWarning");
        PlanStore.DemandNotCleared(warning);
        RegionScope.Demand(caller, RegionCode.Parse(warning.RegionCode));
        var today = clock.Today;
        var policy = policies.InForce(warning.RegionCode, today);
        var plan = await db.Plans.Include(p => p.Tasks).FirstOrDefaultAsync(p => p.HouseholdId == request.HouseholdId, ct).ConfigureAwait(false);
        var codes = request.Measures.Select(m => m.MeasureCode).Distinct().ToList();
        var catalogue = await db.MeasureTypes.AsNoTracking().Where(m => m.IsCurrent && codes.Contains(m.Code)).ToDictionaryAsync(m => m.Code, ct).ConfigureAwait(false);
        var v = new Validator().Require(request.Measures.Count > 0, "measures", "name at least one measure");
        var chosen = new List<(MeasureType, DateOnly, long, string?)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < request.Measures.Count; i++)
        {
            var m = request.Measures[i];
            var field = $"measures[{i}]";
            if (!catalogue.TryGetValue(m.MeasureCode ?? "", out var type) || !type.Active)
            {
                v.Add($"{field}.measure_code", $"unknown measure type '{m.MeasureCode}'");
                continue;
            }
            if (!seen.Add(type.Code) || plan?.Tasks.Any(t => t.MeasureCode == type.Code && t.IsOpen) == true)
            {
                v.Add($"{field}.measure_code", $"'{type.Code}' is already an open task of the plan");
            }
            var due = m.DueOn ?? policy.WorkingDays.AddWorkingDays(today, type.DefaultDeadlineWorkingDays);
            v.Require(due >= today, $"{field}.due_on", $"{due:yyyy-MM-dd} is in the past (today is {today:yyyy-MM-dd})");
            v.Require(m.AmountFen >= 0, $"{field}.amount_fen", "must not be negative");
            chosen.Add((type, due, m.AmountFen, string.IsNullOrWhiteSpace(m.Note) ? null : m.Note.Trim()));
        }
        v.ThrowIfInvalid();
        var current = plan?.Version ?? 0;
        if (request.ExpectedVersion != current)
        {
            throw new PreconditionFailedException($"the plan is at version {current}, not {request.ExpectedVersion}: reload it", $"Version{current}");
        }
        if (plan is null)
        {
            plan = AssistancePlan.Open(request.HouseholdId, warning.RegionCode, warning.MemberLabour.Count, clock.Now);
            db.Plans.Add(plan);
        }
        var added = plan.Confirm(chosen, warning.MemberLabour.Count, today, clock.Now, AssistanceAccess.ActorOf(caller));
        foreach (var task in added)
        {
            db.Entry(task).State = EntityState.Added;
        }
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || ex.InnerException is Npgsql.PostgresException { SqlState: "23505" })
        {
            throw new PreconditionFailedException("the plan was changed meanwhile: reload it", "Changed");
        }
        return new PlanView(plan, today);
    }
}

/// <summary>A household's plan.</summary>
public sealed record GetPlanRequest(Guid HouseholdId);

/// <summary>Reads a household's plan with its tasks (a department sees only its own tasks in it).</summary>
public sealed class GetPlan(AssistanceDbContext db, AssistanceClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<PlanView> HandleAsync(Caller caller, GetPlanRequest request, CancellationToken ct = default)
    {
        RegionScope.DemandRole(caller, "read plans", AssistanceAccess.Read);
        var plan = await db.Plans.AsNoTracking().Include(p => p.Tasks).FirstOrDefaultAsync(p => p.HouseholdId == request.HouseholdId, ct).ConfigureAwait(false);
        if (plan is null || !RegionScope.Allows(caller, RegionCode.Parse(plan.RegionCode)))
        {
            throw new NotFoundException("plan of household", request.HouseholdId.ToString());
        }
        plan.Tasks = plan.Tasks.Where(t => AssistanceAccess.MaySee(caller, t)).OrderBy(t => t.PlanVersion).ThenBy(t => t.Id).ToList();
        return new PlanView(plan, clock.Today);
    }
}

/// <summary>
/// Grading cleared a warning (WarningCleared, 解除预警: the risk is eliminated, the household stays under watch).
/// The stored warning is marked cleared, so no new measures are recommended or confirmed until a new warning;
/// the plan and its tasks stay as they are (open tasks are still carried out or cancelled by the county).
/// Grading's sequence orders the events, whichever queue brings them first: a clearing older than the stored event
/// changes nothing; a clearing newer than it wins even when it names a warning not stored yet (its raising is still
/// on its way on the other queue, and will then be older than the clearing and change nothing). Without sequences
/// (a warning recorded by hand) only the stored warning can be cleared.
/// </summary>
public sealed class ClearWarning(AssistanceDbContext db, AssistanceClock clock)
{
    /// <summary>Runs the use case; true when the household's warning is cleared by this call.</summary>
    /// <param name="grade">The cleared warning's grade, kept when the warning was not stored before.</param>
    public Task<bool> HandleAsync(Guid householdId, string regionCode, Guid warningId, long sequence, WarningGrade grade, CancellationToken ct = default) =>
        PlanStore.WithHouseholdWarningLockedAsync(db, householdId, () => ClearLockedAsync(householdId, regionCode, warningId, sequence, grade, ct), ct);

    private async Task<bool> ClearLockedAsync(Guid householdId, string regionCode, Guid warningId, long sequence, WarningGrade grade, CancellationToken ct)
    {
        var stored = await db.Warnings.FirstOrDefaultAsync(w => w.HouseholdId == householdId, ct).ConfigureAwait(false);
        var comparable = stored?.Sequence is not null && RecordWarning.SameProvince(stored.RegionCode, regionCode);
        if (stored is not null && (comparable && sequence < stored.Sequence!.Value
            || stored.WarningId == warningId && stored.ClearedAt is not null
            || stored.WarningId != warningId && stored.Sequence is null))
        {
            return false;
        }
        if (stored is null)
        {
            stored = new HouseholdWarning { HouseholdId = householdId, RegionCode = regionCode, Grade = grade, Category = FanPin.Policies.HouseholdCategory.Ordinary };
            db.Warnings.Add(stored);
        }
        if (stored.WarningId != warningId)
        {
            // The raising of this warning has not arrived yet: the clearing stands for it.
            stored.WarningId = warningId;
            stored.RegionCode = regionCode;
            stored.Grade = grade;
            stored.RiskTypes = [];
            stored.MemberLabour = [];
            stored.ReceivedAt = clock.Now;
        }
        stored.ClearedAt = clock.Now;
        stored.Sequence = sequence;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return true;
    }
}

/// <summary>Shared look-ups.</summary>
internal static class PlanStore
{
    /// <summary>
    /// Serialises the writers of one household's stored warning until the transaction ends. Grading's events reach
    /// assistance on three queues (raised, grade changed, cleared), each consumed concurrently, so a clearing of the
    /// household's previous warning and the raising of its next one can be applied at the same time: without this,
    /// both read the same row, each checks the sequence against it, and the later commit keeps its columns over the
    /// other's (measured: a new warning stored as cleared in the 1,000,000-row fault test). A transaction-scoped
    /// advisory lock, because the row may not exist yet. Runs <paramref name="write"/> inside the caller's transaction
    /// (a consumer's, with its inbox row) or, without one, inside its own.
    /// </summary>
    public static async Task<T> WithHouseholdWarningLockedAsync<T>(AssistanceDbContext db, Guid householdId, Func<Task<T>> write, CancellationToken ct)
    {
        await using var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false) : null;
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"SELECT pg_advisory_xact_lock(hashtextextended({"household_warnings:" + householdId.ToString("N")}, 0))", ct).ConfigureAwait(false);
        var result = await write().ConfigureAwait(false);
        if (own is not null)
        {
            await own.CommitAsync(ct).ConfigureAwait(false);
        }
        return result;
    }

    /// <summary>FAILED_PRECONDITION when the household's warning was cleared.</summary>
    public static void DemandNotCleared(HouseholdWarning warning)
    {
        if (warning.ClearedAt is { } cleared)
        {
            throw new PreconditionFailedException(
                $"the warning of household {warning.HouseholdId} was cleared on {cleared:yyyy-MM-dd}; new measures answer a new warning", "WarningCleared");
        }
    }

    /// <summary>The household's warning inside the caller's scope, or NOT_FOUND.</summary>
    public static async Task<HouseholdWarning> WarningForAsync(AssistanceDbContext db, Caller caller, Guid householdId, CancellationToken ct)
    {
        var warning = await db.Warnings.AsNoTracking().FirstOrDefaultAsync(w => w.HouseholdId == householdId, ct).ConfigureAwait(false);
        if (warning is null || !RegionScope.Allows(caller, RegionCode.Parse(warning.RegionCode)))
        {
            throw new NotFoundException("warning of household", householdId.ToString());
        }
        return warning;
    }
}
