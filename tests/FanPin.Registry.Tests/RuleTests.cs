using System.Security.Cryptography;
using FanPin.Policies;
using FanPin.Registry.Application.Common;
using FanPin.Registry.Application.Identification;
using FanPin.Registry.Domain;
using FanPin.Registry.Infrastructure;

namespace FanPin.Registry.Tests;

/// <summary>The pure rules, table-driven, without a database.</summary>
public class RuleTests
{
    private static IdentificationPolicy Switches(bool verification, bool appraisal, bool comparison, bool notice)
    {
        var p = DefaultPolicy.Policy.Identification;
        return p with
        {
            HomeVerification = p.HomeVerification with { Enabled = verification },
            DemocraticAppraisal = p.DemocraticAppraisal with { Enabled = appraisal },
            DataComparison = p.DataComparison with { Enabled = comparison },
            PublicNotice = p.PublicNotice with { Enabled = notice },
            DecisionDeadline = p.DecisionDeadline with { CountedFrom = DeadlineStart.CaseOpened },
        };
    }

    [Theory]
    [InlineData(true, true, true, true, "AwaitingHomeVerification>AwaitingDemocraticAppraisal>AwaitingDataComparison>AwaitingPublicNotice>AwaitingEntry")]
    [InlineData(true, true, true, false, "AwaitingHomeVerification>AwaitingDemocraticAppraisal>AwaitingDataComparison>AwaitingEntry")]
    [InlineData(false, false, true, false, "AwaitingDataComparison>AwaitingEntry")]
    [InlineData(false, true, false, true, "AwaitingDemocraticAppraisal>AwaitingPublicNotice>AwaitingEntry")]
    [InlineData(false, false, false, false, "AwaitingEntry")]
    public void Identification_runs_exactly_the_steps_the_policy_switches_on(bool verification, bool appraisal, bool comparison, bool notice, string expected)
    {
        var policy = Switches(verification, appraisal, comparison, notice);
        var steps = new List<IdentificationState> { IdentificationProcedure.First(policy) };
        while (steps[^1] != IdentificationState.AwaitingEntry)
        {
            steps.Add(IdentificationProcedure.After(policy, steps[^1]));
        }
        Assert.Equal(expected, string.Join(">", steps));
    }

    [Fact]
    public void After_the_notice_comes_entry() =>
        Assert.Equal(IdentificationState.AwaitingEntry, IdentificationProcedure.After(DefaultPolicy.Policy.Identification, IdentificationState.UnderPublicNotice));

    [Theory]
    [InlineData(true, true, true, "AwaitingDemocraticAppraisal>AwaitingTownshipReview>AwaitingPublicNotice>AwaitingElimination")]
    [InlineData(false, true, false, "AwaitingTownshipReview>AwaitingElimination")]
    [InlineData(false, false, false, "AwaitingElimination")]
    public void Closing_runs_exactly_the_steps_the_policy_switches_on(bool appraisal, bool review, bool notice, string expected)
    {
        var c = DefaultPolicy.Policy.Closing;
        var policy = c with { DemocraticAppraisal = appraisal, TownshipReview = review, PublicNotice = c.PublicNotice with { Enabled = notice } };
        var steps = new List<ClosingState> { ClosingProcedure.First(policy) };
        while (steps[^1] != ClosingState.AwaitingElimination)
        {
            steps.Add(ClosingProcedure.After(policy, steps[^1]));
        }
        Assert.Equal(expected, string.Join(">", steps));
    }

    [Theory]
    [InlineData("2025-05-01", "2025-11-01", 6)]
    [InlineData("2025-05-02", "2025-11-01", 5)]
    [InlineData("2025-01-31", "2025-02-28", 1)] // the last day of a shorter month completes the month
    [InlineData("2025-01-31", "2025-02-27", 0)]
    [InlineData("2025-12-01", "2025-11-01", 0)]
    public void Whole_months_count_a_month_once_its_day_is_reached(string since, string today, int months) =>
        Assert.Equal(months, ClosingProcedure.WholeMonthsBetween(DateOnly.Parse(since), DateOnly.Parse(today)));

    [Theory]
    [InlineData(MonitoringType.UnstablePostPoverty, HouseholdCategory.PovertyAlleviated, true)]
    [InlineData(MonitoringType.UnstablePostPoverty, HouseholdCategory.Ordinary, false)]
    [InlineData(MonitoringType.MarginalAtRisk, HouseholdCategory.Ordinary, true)]
    [InlineData(MonitoringType.MarginalAtRisk, HouseholdCategory.PovertyAlleviated, false)]
    [InlineData(MonitoringType.SuddenSevereHardship, HouseholdCategory.PovertyAlleviated, true)]
    [InlineData(MonitoringType.SuddenSevereHardship, HouseholdCategory.Ordinary, true)]
    public void Monitoring_types_fit_household_categories(MonitoringType type, HouseholdCategory category, bool fits) =>
        Assert.Equal(fits, MonitoringTypeRules.Fits(type, category));

    public static TheoryData<MemberInput, string?> Members() => new()
    {
        { RegistryFixture.Member("张三", Relation.Head), null },
        { RegistryFixture.Member("张三", Relation.Head) with { Name = new string('名', 51) }, "m.name" },
        { RegistryFixture.Member("张三", Relation.Head) with { IdNumber = "62010219900101123" }, "m.id_number" },
        { RegistryFixture.Member("张三", Relation.Head) with { Relation = null }, "m.relation" },
        { RegistryFixture.Member("张三", Relation.Head) with { LabourAbility = null }, "m.labour_ability" },
        { RegistryFixture.Member("张三", Relation.Head) with { Health = HealthCondition.Disability, DisabilityGrade = 5 }, "m.disability_grade" },
        { RegistryFixture.Member("张三", Relation.Head) with { Health = HealthCondition.Disability, DisabilityGrade = 2 }, null },
        { RegistryFixture.Member("张三", Relation.Head) with { DisabilityGrade = 2 }, "m.disability_grade" },
        { RegistryFixture.Member("张三", Relation.Head) with { EmploymentMonths = 13 }, "m.employment_months" },
    };

    [Theory]
    [MemberData(nameof(Members))]
    public void Member_rules_name_the_offending_field(MemberInput input, string? field)
    {
        var errors = new FieldErrors();
        var valid = HouseholdInputRules.ValidateMember(input, "m", new DateOnly(2025, 3, 3), errors);
        if (field is null)
        {
            Assert.NotNull(valid);
            Assert.Equal(0, errors.Count);
        }
        else
        {
            Assert.Null(valid);
            Assert.Contains(errors.Violations, v => v.Field == field);
        }
    }

    [Theory]
    [InlineData("13812345678", true)]
    [InlineData("+86 138-1234-5678", true)]
    [InlineData("0931-8888888", true)]
    [InlineData("12345", false)]
    [InlineData("138abc45678", false)]
    [InlineData("", false)]
    public void Phones_are_digits_with_optional_separators(string phone, bool valid) =>
        Assert.Equal(valid, HouseholdInputRules.IsPhone(phone));

    [Theory]
    [InlineData(new RiskType[0], 0)]
    [InlineData(new[] { RiskType.Illness }, 1)]
    [InlineData(new[] { RiskType.Illness, RiskType.Other }, 1 | (1 << 14))]
    public void Risk_type_sets_round_trip_through_their_mask(RiskType[] types, int mask)
    {
        Assert.Equal(mask, RiskTypeSet.ToMask(types));
        Assert.Equal(types, RiskTypeSet.FromMask(mask));
    }

    [Fact]
    public void Page_tokens_round_trip_and_refuse_garbage()
    {
        var id = Guid.NewGuid();
        Assert.True(PageTokens.TryDecode(PageTokens.Encode("620102001001", id), out var region, out var back));
        Assert.Equal(("620102001001", id), (region, back));
        Assert.False(PageTokens.TryDecode("bm90LWEtdG9rZW4", out _, out _));
        Assert.False(PageTokens.TryDecode("%%%", out _, out _));
    }

    [Fact]
    public void Id_numbers_encrypt_with_a_fresh_nonce_hash_stably_and_detect_tampering()
    {
        var protector = new IdNumberProtector(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        var id = IdNumber.Create("620102", new DateOnly(1980, 5, 17), 123);
        var a = protector.Protect(id);
        var b = protector.Protect(id);
        Assert.NotEqual(a.Cipher, b.Cipher);
        Assert.Equal(a.Hash, b.Hash);
        Assert.Equal(id.Value, protector.Reveal(a.Cipher));
        Assert.Equal("620102********1234"[..6], a.Masked[..6]);
        a.Cipher[20] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => protector.Reveal(a.Cipher));
        var otherKeys = new IdNumberProtector(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        Assert.NotEqual(a.Hash, otherKeys.Hash(id));
    }

    [Theory]
    [InlineData("13812345678", "138****5678")]
    [InlineData("0931-8888888", "093*****8888")]
    [InlineData("12345", "*****")]
    public void Phones_are_masked_for_callers_without_the_full_view(string phone, string masked) =>
        Assert.Equal(masked, Views.MaskPhone(phone));

    [Fact]
    public void Every_use_case_is_registered()
    {
        Assert.Contains(typeof(Application.Households.ImportHouseholds), RegistryServices.UseCaseTypes);
        Assert.Contains(typeof(Application.Signals.HandleRiskSignalsDetected), RegistryServices.UseCaseTypes);
        Assert.Equal(33, RegistryServices.UseCaseTypes.Count);
    }
}
