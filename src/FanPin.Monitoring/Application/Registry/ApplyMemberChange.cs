using FanPin.Monitoring.Application.Common;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Infrastructure;
using FanPin.Policies;
using Microsoft.EntityFrameworkCore;

namespace FanPin.Monitoring.Application.Registry;

/// <summary>How a member change affects membership.</summary>
public enum MembershipChange
{
    /// <summary>Registered with the household (建档): a member since before any record (no join date).</summary>
    Registered = 1,
    /// <summary>Joined on the effective date (birth, marriage in, split or merge in, moved in).</summary>
    Joined = 2,
    /// <summary>Left on the effective date (death, marriage out, split or merge out, moved out).</summary>
    Left = 3,
    /// <summary>Facts changed (labour ability, a corrected ID number); membership as it was.</summary>
    Updated = 4,
}

/// <summary>
/// A member change the registry announced (from HouseholdRegistered and MemberChanged): the member, the
/// household and its village, the keyed hash of the ID number (the registry's <c>id_number_hash</c>), what
/// happened and when, and the labour ability when known.
/// </summary>
/// <param name="MemberId">The registry's member id.</param>
/// <param name="HouseholdId">The household.</param>
/// <param name="RegionCode">The household's village code.</param>
/// <param name="IdHash">HMAC-SHA256 of the normalised ID number (32 bytes).</param>
/// <param name="Change">What happened.</param>
/// <param name="EffectiveOn">The day it took effect (required for joined and left).</param>
/// <param name="LabourAbility">Labour ability, when the event carries it.</param>
/// <param name="OccurredAt">When the registry made the change.</param>
public sealed record MemberChange(
    Guid MemberId,
    Guid HouseholdId,
    string RegionCode,
    byte[] IdHash,
    MembershipChange Change,
    DateOnly? EffectiveOn,
    LabourAbility? LabourAbility,
    DateTimeOffset OccurredAt);

/// <summary>
/// Applies a member change to monitoring's read model, and queues the household for evaluation (membership is
/// the per-capita denominator). Idempotent; each kind sets only its own fields, so events arriving out of order
/// (left before joined) still end in the right membership. No caller: it runs on the registry's authority.
/// </summary>
public sealed class ApplyMemberChange(MonitoringDbContext db, MonitoringClock clock)
{
    /// <summary>Applies the change.</summary>
    public async Task<ReadModelResult> HandleAsync(MemberChange change, CancellationToken ct = default)
    {
        var validator = new Validator();
        validator.Require(change.MemberId != Guid.Empty, "member_id", "is empty");
        validator.Require(change.HouseholdId != Guid.Empty, "household_id", "is empty");
        validator.Require(RegionCode.TryParse(change.RegionCode, out var region, out _) && region.Level == RegionLevel.Village,
            "region_code", "must be a village code (12 digits, village part not zero)");
        validator.Require(change.IdHash is { Length: IdNumberHasher.HashSize }, "id_hash", $"must be {IdNumberHasher.HashSize} bytes (HMAC-SHA256)");
        validator.Require(Enum.IsDefined(change.Change), "change", "is not a known membership change");
        validator.Require(change.Change is not (MembershipChange.Joined or MembershipChange.Left) || change.EffectiveOn is not null,
            "effective_on", "is required when a member joins or leaves");
        validator.ThrowIfInvalid();

        var household = await db.Households.FirstOrDefaultAsync(h => h.Id == change.HouseholdId, ct).ConfigureAwait(false);
        if (household is null)
        {
            // The member event came before the household's: keep the place, the category follows.
            db.Households.Add(new KnownHousehold { Id = change.HouseholdId, RegionCode = change.RegionCode, UpdatedAt = DateTimeOffset.UnixEpoch });
        }
        var member = await db.Members.FirstOrDefaultAsync(m => m.Id == change.MemberId, ct).ConfigureAwait(false);
        Membership? before = member is null ? null : Membership.Of(member);
        if (member is null)
        {
            member = new KnownMember { Id = change.MemberId, UpdatedAt = DateTimeOffset.UnixEpoch };
            db.Members.Add(member);
        }
        member.HouseholdId = change.HouseholdId;
        member.IdHash = change.IdHash;
        switch (change.Change)
        {
            case MembershipChange.Joined:
                member.JoinedOn = change.EffectiveOn;
                break;
            case MembershipChange.Left:
                member.LeftOn = change.EffectiveOn;
                break;
            case MembershipChange.Registered:
                member.JoinedOn = null;
                break;
            case MembershipChange.Updated:
                break;
        }
        if (change.LabourAbility is not null && change.OccurredAt >= member.UpdatedAt)
        {
            member.LabourAbility = change.LabourAbility;
        }
        if (change.OccurredAt > member.UpdatedAt)
        {
            member.UpdatedAt = change.OccurredAt;
        }
        if (before == Membership.Of(member))
        {
            return new ReadModelResult(false, false);
        }
        // A consumer calls inside its inbox transaction (the change and the inbox row commit together): join it.
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false) : null;
        await db.EnqueueEvaluationAsync(change.HouseholdId, clock.UtcNow, ct).ConfigureAwait(false);
        if (before is { } earlier && earlier.HouseholdId != change.HouseholdId)
        {
            await db.EnqueueEvaluationAsync(earlier.HouseholdId, clock.UtcNow, ct).ConfigureAwait(false);
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        if (tx is not null)
        {
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }
        return new ReadModelResult(true, true);
    }

    /// <summary>What a member change can change, to tell a no-op from a change.</summary>
    private readonly record struct Membership(Guid HouseholdId, string Hash, DateOnly? JoinedOn, DateOnly? LeftOn, LabourAbility? LabourAbility)
    {
        public static Membership Of(KnownMember m) => new(m.HouseholdId, Convert.ToHexString(m.IdHash), m.JoinedOn, m.LeftOn, m.LabourAbility);
    }
}
