using FanPin.Policies;
using FanPin.Registry.Domain;

namespace FanPin.Registry.Application.Common;

/// <summary>A member as a request gives it. Null enums are "unspecified" (proto value 0) and refused.</summary>
public sealed record MemberInput(
    string? Name,
    string? IdNumber,
    Relation? Relation,
    LabourAbility? LabourAbility,
    HealthCondition? Health,
    int? DisabilityGrade,
    SchoolingStage? Schooling,
    EmploymentLocation? EmploymentLocation,
    int EmploymentMonths,
    bool MedicalInsured,
    bool PensionInsured);

/// <summary>A member that passed validation: the parsed ID number and the facts.</summary>
public sealed record ValidMember(IdNumber IdNumber, MemberFacts Facts);

/// <summary>Pure validation rules of household and member input, with the field path of every violation.</summary>
public static class HouseholdInputRules
{
    /// <summary>Most members a household may list (a typo guard, not a social rule).</summary>
    public const int MaxMembers = 30;

    /// <summary>Longest name.</summary>
    public const int MaxNameLength = 50;

    /// <summary>Checks a member; returns it when valid. <paramref name="path"/> prefixes field names (<c>members[2]</c>).</summary>
    public static ValidMember? ValidateMember(MemberInput input, string path, DateOnly today, FieldErrors v)
    {
        var before = v.Count;
        var name = input.Name?.Trim() ?? "";
        v.Require(name.Length > 0, $"{path}.name", "is empty");
        v.Require(name.Length <= MaxNameLength, $"{path}.name", $"is longer than {MaxNameLength} characters");
        IdNumber id = default;
        if (!FanPin.IdNumber.TryParse(input.IdNumber, today, out id, out var idError))
        {
            v.Add($"{path}.id_number", idError);
        }
        v.Require(input.Relation is not null, $"{path}.relation", "is required");
        v.Require(input.LabourAbility is not null, $"{path}.labour_ability", "is required");
        v.Require(input.Health is not null, $"{path}.health", "is required");
        v.Require(input.Schooling is not null, $"{path}.schooling", "is required");
        v.Require(input.EmploymentLocation is not null, $"{path}.employment_location", "is required");
        if (input.Health == HealthCondition.Disability)
        {
            v.Require(input.DisabilityGrade is >= 1 and <= 4, $"{path}.disability_grade", "must be 1 to 4 for a member with a disability");
        }
        else
        {
            v.Require(input.DisabilityGrade is null, $"{path}.disability_grade", "applies only when health is disability");
        }
        v.Require(input.EmploymentMonths is >= 0 and <= 12, $"{path}.employment_months", "must be 0 to 12");
        v.Require(input.EmploymentMonths == 0 || input.EmploymentLocation is not (null or Domain.EmploymentLocation.None),
            $"{path}.employment_months", "needs an employment location");
        if (v.Count != before)
        {
            return null;
        }
        return new ValidMember(id, new MemberFacts(name, input.Relation!.Value, input.LabourAbility!.Value, input.Health!.Value, input.DisabilityGrade,
            input.Schooling!.Value, input.EmploymentLocation!.Value, input.EmploymentMonths, input.MedicalInsured, input.PensionInsured));
    }

    /// <summary>Checks a whole member list: each member, one head, no ID number twice.</summary>
    public static List<ValidMember> ValidateMembers(IReadOnlyList<MemberInput>? members, string path, DateOnly today, FieldErrors v)
    {
        var valid = new List<ValidMember>();
        if (members is null || members.Count == 0)
        {
            v.Add(path, "a household needs at least one member");
            return valid;
        }
        if (members.Count > MaxMembers)
        {
            v.Add(path, $"has {members.Count} members; at most {MaxMembers}");
            return valid;
        }
        var seen = new Dictionary<string, int>();
        for (var i = 0; i < members.Count; i++)
        {
            var member = ValidateMember(members[i], $"{path}[{i}]", today, v);
            if (member is null)
            {
                continue;
            }
            if (seen.TryGetValue(member.IdNumber.Value, out var first))
            {
                v.Add($"{path}[{i}].id_number", $"is the same ID number as {path}[{first}]");
                continue;
            }
            seen[member.IdNumber.Value] = i;
            valid.Add(member);
        }
        var heads = members.Count(m => m.Relation == Relation.Head);
        v.Require(heads == 1, path, $"needs exactly one head of household (relation head); found {heads}");
        return valid;
    }

    /// <summary>Checks a region code names a village; the code's parts must be consistent.</summary>
    public static RegionCode? ValidateVillage(string? text, string field, FieldErrors v)
    {
        if (!RegionCode.TryParse(text, out var code, out var error))
        {
            v.Add(field, error);
            return null;
        }
        if (code.Level != RegionLevel.Village)
        {
            v.Add(field, $"{code} is a {code.Level.ToString().ToLowerInvariant()}; a household belongs to a village");
            return null;
        }
        return code;
    }

    /// <summary>Checks a helper: name, phone (digits, 7–15, optional +, -), organisation.</summary>
    public static void ValidateHelper(HelperInput? helper, string path, FieldErrors v)
    {
        if (helper is null)
        {
            v.Add(path, "is required");
            return;
        }
        v.Require(!string.IsNullOrWhiteSpace(helper.Name), $"{path}.name", "is empty");
        v.Require(IsPhone(helper.Phone), $"{path}.phone", "is not a phone number (7 to 15 digits)");
        v.Require(!string.IsNullOrWhiteSpace(helper.Organisation), $"{path}.organisation", "is empty");
    }

    /// <summary>True for 7–15 digits, optionally with a leading + and dashes or spaces between.</summary>
    public static bool IsPhone(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var t = text.Trim();
        var digits = t.Count(char.IsAsciiDigit);
        return digits is >= 7 and <= 15
            && t.Select((c, i) => char.IsAsciiDigit(c) || c is '-' or ' ' || (c == '+' && i == 0)).All(ok => ok);
    }
}

/// <summary>A responsible helper as a request gives it.</summary>
public sealed record HelperInput(string? Name, string? Phone, string? Organisation);
