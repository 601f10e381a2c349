using FanPin.Policies;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Registry.Application.Common;

/// <summary>A member as answers show it; <see cref="IdNumber"/> is masked unless the caller's role allows the full value.</summary>
public sealed record MemberView(
    Guid Id,
    string Name,
    string IdNumber,
    bool IdNumberIsMasked,
    DateOnly BirthDate,
    Sex Sex,
    Relation Relation,
    LabourAbility LabourAbility,
    HealthCondition Health,
    int? DisabilityGrade,
    SchoolingStage Schooling,
    EmploymentLocation EmploymentLocation,
    int EmploymentMonths,
    bool MedicalInsured,
    bool PensionInsured,
    DateOnly JoinedOn,
    MemberChangeKind? JoinedBy,
    DateOnly? LeftOn,
    MemberChangeKind? LeftBy);

/// <summary>A household as answers show it.</summary>
public sealed record HouseholdView(
    Guid Id,
    string RegionCode,
    HouseholdCategory Category,
    bool MinimumLivingGuarantee,
    bool ExtremePovertySupport,
    MonitoringStatus Status,
    MonitoringType? MonitoringType,
    IReadOnlyList<RiskType> RiskTypes,
    ResponsibleHelper? Helper,
    int MemberCount,
    string HeadName,
    DateOnly? DissolvedOn,
    Guid? MergedIntoId,
    IReadOnlyList<MemberView> Members,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>One entry of a household's member history.</summary>
public sealed record MemberChangeView(long Sequence, Guid MemberId, MemberChangeKind Kind, DateOnly EffectiveOn, DateTimeOffset RecordedAt, string RecordedBy, Guid? OtherHouseholdId, string? Details);

/// <summary>Builds views, revealing or masking ID numbers and phones by the caller's role.</summary>
public static class Views
{
    /// <summary>The household view; former members are listed too when <paramref name="includeFormerMembers"/>.</summary>
    public static HouseholdView Household(Household h, Caller caller, IdNumberProtector ids, bool includeFormerMembers = false) => new(
        h.Id, h.RegionCode, h.Category, h.MinimumLivingGuarantee, h.ExtremePovertySupport, h.Status, h.MonitoringType, h.RiskTypes,
        h.Helper is { } helper && !caller.MaySeeFullIdNumbers ? helper with { Phone = MaskPhone(helper.Phone) } : h.Helper,
        h.MemberCount, h.HeadName, h.DissolvedOn, h.MergedIntoId,
        h.AllMembers.Where(m => includeFormerMembers || m.IsCurrent)
            .OrderBy(m => m.LeftOn is null ? 0 : 1).ThenBy(m => m.Relation).ThenBy(m => m.BirthDate)
            .Select(m => Member(m, caller, ids)).ToList(),
        h.CreatedAt, h.UpdatedAt);

    /// <summary>The member view.</summary>
    public static MemberView Member(Member m, Caller caller, IdNumberProtector ids)
    {
        var full = caller.MaySeeFullIdNumbers;
        return new MemberView(m.Id, m.Name, full ? ids.Reveal(m.IdNumberCipher) : m.IdNumberMasked, !full, m.BirthDate, m.Sex, m.Relation,
            m.LabourAbility, m.Health, m.DisabilityGrade, m.Schooling, m.EmploymentLocation, m.EmploymentMonths, m.MedicalInsured, m.PensionInsured,
            m.JoinedOn, m.JoinedBy, m.LeftOn, m.LeftBy);
    }

    /// <summary>"13812345678" → "138****5678".</summary>
    public static string MaskPhone(string phone) =>
        phone.Length <= 7 ? new string('*', phone.Length) : string.Concat(phone.AsSpan(0, 3), new string('*', phone.Length - 7), phone.AsSpan(phone.Length - 4));
}

/// <summary>Opaque cursor tokens for lists ordered by (region code, id).</summary>
public static class PageTokens
{
    /// <summary>Default page size.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>Largest page size.</summary>
    public const int MaxPageSize = 500;

    /// <summary>The token after the last item of a page.</summary>
    public static string Encode(string regionCode, Guid id) =>
        Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes($"{regionCode}|{id:N}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Reads a token; false for one this service did not make.</summary>
    public static bool TryDecode(string token, out string regionCode, out Guid id)
    {
        regionCode = "";
        id = Guid.Empty;
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
            var parts = System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(base64)).Split('|');
            if (parts.Length != 2 || !RegionCode.TryParse(parts[0], out _, out _) || !Guid.TryParseExact(parts[1], "N", out id))
            {
                return false;
            }
            regionCode = parts[0];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Validates a page size: 0 means the default.</summary>
    public static int PageSize(int requested, FieldErrors errors)
    {
        errors.Require(requested is >= 0 and <= MaxPageSize, "page_size", $"must be 0 to {MaxPageSize}");
        return requested == 0 ? DefaultPageSize : Math.Clamp(requested, 1, MaxPageSize);
    }
}
