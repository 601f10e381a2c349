using FanPin.Registry.Application.Common;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Registry.Application.Households;

/// <summary>A member moving to the new household, with the relation to its head.</summary>
public sealed record MovingMember(Guid MemberId, Relation? Relation);

/// <summary>
/// 分户: some members leave to form a new household (in the same or another village). Exactly one moving member
/// is the new head; when the old head moves, <see cref="RemainingHeadMemberId"/> names the one who stays as head.
/// </summary>
public sealed record SplitHouseholdRequest(
    Guid HouseholdId,
    IReadOnlyList<MovingMember>? Members,
    DateOnly? EffectiveOn,
    string? NewRegionCode = null,
    Guid? RemainingHeadMemberId = null);

/// <summary>Both households after the split.</summary>
public sealed record SplitHouseholdResult(HouseholdView Remaining, HouseholdView Created);

/// <summary>
/// Splits a household. The moving members' rows in the old household are closed (SplitOut) and new rows
/// open in the new one (SplitIn): nothing is overwritten. Raises HouseholdRegistered and MemberChanged.
/// </summary>
public sealed class SplitHousehold(RegistryDbContext db, IdNumberProtector ids, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<SplitHouseholdResult> HandleAsync(Caller caller, SplitHouseholdRequest request, CancellationToken ct = default)
    {
        var household = await HouseholdStore.LoadForAsync(db, caller, "split households", RegistryAccess.WriteHouseholds, request.HouseholdId, ct).ConfigureAwait(false);
        HouseholdStore.DemandNotMerged(household);
        var today = clock.Today;
        var now = clock.Now;
        var errors = new FieldErrors();
        errors.Require(request.EffectiveOn is not null, "effective_on", "is required");
        errors.Require(request.EffectiveOn is null || request.EffectiveOn <= today, "effective_on", "is in the future");
        var village = string.IsNullOrEmpty(request.NewRegionCode)
            ? RegionCode.Parse(household.RegionCode)
            : HouseholdInputRules.ValidateVillage(request.NewRegionCode, "new_region_code", errors);
        var moving = new List<(Member Member, Relation Relation)>();
        var list = request.Members ?? [];
        if (list.Count == 0)
        {
            errors.Add("members", "name at least one member to move");
        }
        for (var i = 0; i < list.Count; i++)
        {
            var member = household.Members.FirstOrDefault(m => m.Id == list[i].MemberId);
            if (member is null || moving.Any(m => m.Member.Id == member.Id))
            {
                errors.Add($"members[{i}].member_id", member is null ? $"{list[i].MemberId} is not a current member of this household" : "is listed twice");
                continue;
            }
            if (list[i].Relation is null)
            {
                errors.Add($"members[{i}].relation", "is required (the relation to the new head)");
                continue;
            }
            moving.Add((member, list[i].Relation!.Value));
        }
        if (moving.Count > 0 && moving.Count == household.MemberCount)
        {
            errors.Add("members", "every member would move; that is a change of village, not a split");
        }
        var newHeads = moving.Count(m => m.Relation == Relation.Head);
        errors.Require(moving.Count == 0 || newHeads == 1, "members", $"exactly one moving member must be the new head; found {newHeads}");
        var oldHeadMoves = moving.Any(m => m.Member.Relation == Relation.Head);
        if (oldHeadMoves)
        {
            var remaining = request.RemainingHeadMemberId is { } r ? household.Members.FirstOrDefault(m => m.Id == r && moving.All(x => x.Member.Id != r)) : null;
            errors.Require(remaining is not null, "remaining_head_member_id", "the head moves: name a member who stays as head");
        }
        else
        {
            errors.Require(request.RemainingHeadMemberId is null, "remaining_head_member_id", "applies only when the head moves");
        }
        errors.ThrowIfAny();
        RegionScope.Demand(caller, village!.Value);
        await HouseholdStore.DemandVillageExistsAsync(db, village.Value, "new_region_code", ct).ConfigureAwait(false);

        var on = request.EffectiveOn!.Value;
        var newId = Guid.CreateVersion7();
        await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        // Old rows close first: one person holds one current membership at any moment (unique index).
        foreach (var (member, _) in moving)
        {
            household.RemoveMember(member.Id, MemberChangeKind.SplitOut, on, member.Relation == Relation.Head ? request.RemainingHeadMemberId : null, now, caller.Subject, newId);
        }
        await HouseholdStore.SaveAsync(db, ct).ConfigureAwait(false);
        var head = moving.Single(m => m.Relation == Relation.Head);
        var created = Household.Register(newId, village.Value, household.Category, household.MinimumLivingGuarantee, household.ExtremePovertySupport,
            [new NewMember(head.Member.ProtectedIdNumber, head.Member.Facts with { Relation = Relation.Head })], on, now, $"split:{household.Id}");
        foreach (var (member, relation) in moving.Where(m => m.Relation != Relation.Head))
        {
            created.AddMember(new NewMember(member.ProtectedIdNumber, member.Facts with { Relation = relation }), MemberChangeKind.SplitIn, on, now, caller.Subject, household.Id);
        }
        db.Households.Add(created);
        await HouseholdStore.SaveAsync(db, ct).ConfigureAwait(false);
        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return new SplitHouseholdResult(Views.Household(household, caller, ids), Views.Household(created, caller, ids));
    }
}
