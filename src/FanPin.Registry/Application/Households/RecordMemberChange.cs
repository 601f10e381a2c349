using FanPin.Registry.Application.Common;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Households;

/// <summary>
/// A natural change (自然变更): Birth and MarriageIn give <see cref="NewMember"/>; Death and MarriageOut give
/// <see cref="MemberId"/> (and <see cref="NewHeadMemberId"/> when the head leaves and others stay).
/// </summary>
public sealed record RecordMemberChangeRequest(
    Guid HouseholdId,
    MemberChangeKind? Kind,
    DateOnly? EffectiveOn,
    MemberInput? NewMember = null,
    Guid? MemberId = null,
    Guid? NewHeadMemberId = null);

/// <summary>The household after the change, and the member concerned.</summary>
public sealed record RecordMemberChangeResult(HouseholdView Household, Guid MemberId);

/// <summary>Records a birth, death, marriage in or out: effective at once, kept as dated history. Raises MemberChanged.</summary>
public sealed class RecordMemberChange(RegistryDbContext db, IdNumberProtector ids, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<RecordMemberChangeResult> HandleAsync(Caller caller, RecordMemberChangeRequest request, CancellationToken ct = default)
    {
        var household = await HouseholdStore.LoadForAsync(db, caller, "record member changes", RegistryAccess.WriteHouseholds, request.HouseholdId, ct).ConfigureAwait(false);
        HouseholdStore.DemandNotMerged(household);
        var today = clock.Today;
        var errors = new FieldErrors();
        errors.Require(request.EffectiveOn is not null, "effective_on", "is required");
        errors.Require(request.EffectiveOn is null || request.EffectiveOn <= today, "effective_on", $"{request.EffectiveOn:yyyy-MM-dd} is in the future");
        var joins = request.Kind is MemberChangeKind.Birth or MemberChangeKind.MarriageIn;
        var leaves = request.Kind is MemberChangeKind.Death or MemberChangeKind.MarriageOut;
        if (!joins && !leaves)
        {
            errors.Add("kind", request.Kind is null
                ? "is required"
                : $"{request.Kind} is not a natural change here; expected birth, death, marriage_in or marriage_out (splits and merges have their own requests)");
            errors.ThrowIfAny();
        }
        if (joins)
        {
            return await JoinAsync(caller, household, request, today, errors, ct).ConfigureAwait(false);
        }
        return await LeaveAsync(caller, household, request, errors, ct).ConfigureAwait(false);
    }

    private async Task<RecordMemberChangeResult> JoinAsync(Caller caller, Household household, RecordMemberChangeRequest request, DateOnly today, FieldErrors errors, CancellationToken ct)
    {
        errors.Require(request.MemberId is null, "member_id", "applies to members leaving; a joining member is given as new_member");
        ValidMember? member = null;
        if (request.NewMember is null)
        {
            errors.Add("new_member", "is required");
        }
        else
        {
            member = HouseholdInputRules.ValidateMember(request.NewMember, "new_member", today, errors);
            errors.Require(member is null || member.Facts.Relation != Relation.Head, "new_member.relation", "a joining member cannot be the head; the household has one");
            if (member is not null && request.Kind == MemberChangeKind.Birth && request.EffectiveOn is { } on && on != member.IdNumber.BirthDate)
            {
                errors.Add("effective_on", $"a birth takes effect on the birth date in the ID number ({member.IdNumber.BirthDate:yyyy-MM-dd})");
            }
        }
        errors.ThrowIfAny();
        var protectedId = ids.Protect(member!.IdNumber);
        await HouseholdStore.DemandIdNumbersFreeAsync(db, [("new_member.id_number", protectedId)], null, ct).ConfigureAwait(false);
        var added = household.AddMember(new NewMember(protectedId, member.Facts), request.Kind!.Value, request.EffectiveOn!.Value, clock.Now, caller.Subject);
        await HouseholdStore.SaveAsync(db, ct).ConfigureAwait(false);
        return new RecordMemberChangeResult(Views.Household(household, caller, ids), added.Id);
    }

    private async Task<RecordMemberChangeResult> LeaveAsync(Caller caller, Household household, RecordMemberChangeRequest request, FieldErrors errors, CancellationToken ct)
    {
        errors.Require(request.NewMember is null, "new_member", "applies to members joining");
        var leaving = request.MemberId is { } id ? household.Members.FirstOrDefault(m => m.Id == id) : null;
        if (request.MemberId is null)
        {
            errors.Add("member_id", "is required");
        }
        else if (leaving is null)
        {
            errors.Add("member_id", $"{request.MemberId} is not a current member of this household");
        }
        if (leaving is { Relation: Relation.Head } && household.MemberCount > 1)
        {
            var newHead = request.NewHeadMemberId is { } h ? household.Members.FirstOrDefault(m => m.Id == h && m.Id != leaving.Id) : null;
            errors.Require(newHead is not null, "new_head_member_id", "the head leaves: name another current member as the new head");
        }
        else
        {
            errors.Require(request.NewHeadMemberId is null, "new_head_member_id", "applies only when the head leaves and others stay");
        }
        if (leaving is not null && request.EffectiveOn < leaving.JoinedOn)
        {
            errors.Add("effective_on", $"is before the member joined ({leaving.JoinedOn:yyyy-MM-dd})");
        }
        errors.ThrowIfAny();
        household.RemoveMember(leaving!.Id, request.Kind!.Value, request.EffectiveOn!.Value, request.NewHeadMemberId, clock.Now, caller.Subject);
        await HouseholdStore.SaveAsync(db, ct).ConfigureAwait(false);
        return new RecordMemberChangeResult(Views.Household(household, caller, ids, includeFormerMembers: false), leaving.Id);
    }
}
