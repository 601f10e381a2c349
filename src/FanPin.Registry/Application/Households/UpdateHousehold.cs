using FanPin.Policies;
using FanPin.Registry.Application.Common;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Households;

/// <summary>New facts for a current member. The ID number cannot change (give it empty or unchanged).</summary>
public sealed record MemberUpdate(Guid MemberId, MemberInput Facts);

/// <summary>Household-level facts and member corrections. Members join and leave through RecordMemberChange.</summary>
public sealed record UpdateHouseholdRequest(
    Guid HouseholdId,
    HouseholdCategory? Category,
    bool MinimumLivingGuarantee,
    bool ExtremePovertySupport,
    IReadOnlyList<MemberUpdate>? Members);

/// <summary>The household after the update.</summary>
public sealed record UpdateHouseholdResult(HouseholdView Household);

/// <summary>
/// Updates a household's facts and corrects members' facts; each member correction is kept as a dated
/// history entry with before and after. Raises HouseholdChanged and MemberChanged (Corrected).
/// </summary>
public sealed class UpdateHousehold(RegistryDbContext db, IdNumberProtector ids, RegistryClock clock)
{
    /// <summary>Runs the use case.</summary>
    public async Task<UpdateHouseholdResult> HandleAsync(Caller caller, UpdateHouseholdRequest request, CancellationToken ct = default)
    {
        var household = await HouseholdStore.LoadForAsync(db, caller, "change households", RegistryAccess.WriteHouseholds, request.HouseholdId, ct).ConfigureAwait(false);
        HouseholdStore.DemandNotMerged(household);
        var today = clock.Today;
        var now = clock.Now;
        var errors = new FieldErrors();
        errors.Require(request.Category is not null, "category", "is required");
        var updates = new List<(Member Member, MemberFacts Facts)>();
        var members = request.Members ?? [];
        for (var i = 0; i < members.Count; i++)
        {
            var path = $"members[{i}]";
            var member = household.Members.FirstOrDefault(m => m.Id == members[i].MemberId);
            if (member is null)
            {
                errors.Add($"{path}.member_id", $"{members[i].MemberId} is not a current member of this household");
                continue;
            }
            if (updates.Any(u => u.Member.Id == member.Id))
            {
                errors.Add($"{path}.member_id", "is listed twice");
                continue;
            }
            // The ID number is identity, not a fact: leave it empty, or give the same number.
            var input = members[i].Facts;
            var idText = string.IsNullOrWhiteSpace(input.IdNumber) ? ids.Reveal(member.IdNumberCipher) : input.IdNumber;
            var valid = HouseholdInputRules.ValidateMember(input with { IdNumber = idText }, $"{path}.facts", today, errors);
            if (valid is not null && !ids.Hash(valid.IdNumber).AsSpan().SequenceEqual(member.IdNumberHash))
            {
                errors.Add($"{path}.facts.id_number", "cannot change; a different person joins through a member change (birth, marriage in)");
                continue;
            }
            if (valid is not null)
            {
                updates.Add((member, valid.Facts));
            }
        }
        var heads = household.Members.Count(m => (updates.FirstOrDefault(u => u.Member.Id == m.Id).Facts?.Relation ?? m.Relation) == Relation.Head);
        errors.Require(heads == 1, "members", $"the household would have {heads} heads; exactly one member must be the head");
        errors.ThrowIfAny();

        household.UpdateFacts(request.Category!.Value, request.MinimumLivingGuarantee, request.ExtremePovertySupport, now);
        foreach (var (member, facts) in updates)
        {
            household.CorrectMember(member.Id, facts, today, now, caller.Subject);
        }
        await HouseholdStore.SaveAsync(db, ct).ConfigureAwait(false);
        return new UpdateHouseholdResult(Views.Household(household, caller, ids));
    }
}
