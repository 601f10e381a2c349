using FanPin.Registry.Application.Common;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Registry.Application.Households;

/// <summary>
/// 合户: every current member of the source household joins the target, each with its relation to the
/// target's head; the source is dissolved and points to the target.
/// </summary>
public sealed record MergeHouseholdsRequest(Guid TargetHouseholdId, Guid SourceHouseholdId, IReadOnlyList<MovingMember>? Members, DateOnly? EffectiveOn);

/// <summary>The target after the merge.</summary>
public sealed record MergeHouseholdsResult(HouseholdView Target);

/// <summary>Merges two households. Refused while the source has a case in progress. Raises MemberChanged and HouseholdChanged.</summary>
public sealed class MergeHouseholds(RegistryDbContext db, IdNumberProtector ids, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<MergeHouseholdsResult> HandleAsync(Caller caller, MergeHouseholdsRequest request, CancellationToken ct = default)
    {
        if (request.TargetHouseholdId == request.SourceHouseholdId)
        {
            throw new ValidationFailedException("source_household_id", "is the target itself");
        }
        var target = await HouseholdStore.LoadForAsync(db, caller, "merge households", RegistryAccess.WriteHouseholds, request.TargetHouseholdId, ct).ConfigureAwait(false);
        var source = await HouseholdStore.LoadForAsync(db, caller, "merge households", RegistryAccess.WriteHouseholds, request.SourceHouseholdId, ct).ConfigureAwait(false);
        HouseholdStore.DemandNotMerged(target);
        HouseholdStore.DemandNotMerged(source);
        if (await db.IdentificationCases.AnyAsync(c => c.HouseholdId == source.Id && c.State != IdentificationState.Entered && c.State != IdentificationState.Rejected, ct).ConfigureAwait(false)
            || await db.ClosingCases.AnyAsync(c => c.HouseholdId == source.Id && c.State != ClosingState.RiskEliminated && c.State != ClosingState.Rejected, ct).ConfigureAwait(false))
        {
            throw new PreconditionFailedException("the source household has a case in progress; finish or reject it first", source.Status.ToString());
        }
        var today = clock.Today;
        var now = clock.Now;
        var errors = new FieldErrors();
        errors.Require(request.EffectiveOn is not null, "effective_on", "is required");
        errors.Require(request.EffectiveOn is null || request.EffectiveOn <= today, "effective_on", "is in the future");
        var list = request.Members ?? [];
        var moving = new List<(Member Member, Relation Relation)>();
        for (var i = 0; i < list.Count; i++)
        {
            var member = source.Members.FirstOrDefault(m => m.Id == list[i].MemberId);
            if (member is null || moving.Any(m => m.Member.Id == member.Id))
            {
                errors.Add($"members[{i}].member_id", member is null ? $"{list[i].MemberId} is not a current member of the source household" : "is listed twice");
                continue;
            }
            if (list[i].Relation is null or Relation.Head)
            {
                errors.Add($"members[{i}].relation", "is required and cannot be head: the target keeps its head");
                continue;
            }
            moving.Add((member, list[i].Relation!.Value));
        }
        var missing = source.Members.Count(m => moving.All(x => x.Member.Id != m.Id));
        errors.Require(missing == 0, "members", $"every current member of the source must be given a relation; {missing} missing");
        errors.ThrowIfAny();

        var on = request.EffectiveOn!.Value;
        await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        foreach (var (member, _) in moving)
        {
            // Relation of the leaving head no longer matters: the source dissolves with its last member.
            source.RemoveMember(member.Id, MemberChangeKind.MergeOut, on, null, now, caller.Subject, target.Id);
        }
        source.MarkMergedInto(target.Id, on, now);
        await HouseholdStore.SaveAsync(db, ct).ConfigureAwait(false);
        foreach (var (member, relation) in moving)
        {
            target.AddMember(new NewMember(member.ProtectedIdNumber, member.Facts with { Relation = relation }), MemberChangeKind.MergeIn, on, now, caller.Subject, source.Id);
        }
        await HouseholdStore.SaveAsync(db, ct).ConfigureAwait(false);
        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return new MergeHouseholdsResult(Views.Household(target, caller, ids));
    }
}
