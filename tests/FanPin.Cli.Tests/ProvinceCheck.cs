extern alias monitoring;

using System.Globalization;
using FanPin.Cli.Datagen;
using FanPin.Policies;
using monitoring::FanPin.Monitoring.Domain;
using monitoring::FanPin.Monitoring.Infrastructure;
using MonitoringCategory = monitoring::FanPin.Monitoring.Domain.RecordCategory;

namespace FanPin.Cli.Tests;

/// <summary>What the independent check found for one household.</summary>
public sealed class CheckedHousehold
{
    public int Members { get; set; }
    public HouseholdCategory Category { get; set; }
    public List<LabourAbility> Labour { get; } = [];
    public Dictionary<MonitoringCategory, long> Income { get; } = [];
    public Dictionary<MonitoringCategory, long> Rigid { get; } = [];
    public HousingSafetyGrade? WorstHousing { get; set; }
    public bool OutOfSchool { get; set; }
    public bool Uninsured { get; set; }
    public bool WaterGap { get; set; }
    public bool Excluded { get; set; }
    public List<string> Signals { get; } = [];
    public int? Grade { get; set; }
}

/// <summary>
/// An independent reading of generated files against the default policy: it knows nothing of the generator's profiles or
/// counters; it reads households.csv and the feeds with the importers' parser (FeedCsv), sums amounts per household over
/// the policy's windows (the reference month is the month after the history) and applies DOMAIN.md §4 and §7 with the
/// policy's lines.
/// </summary>
public static class ProvinceCheck
{
    public static async Task<Dictionary<int, CheckedHousehold>> RunAsync(GeneratedProvince province)
    {
        var policy = DefaultPolicy.Policy;
        var reference = province.Settings.LastMonth.AddMonths(1);
        var (incomeFrom, incomeTo) = policy.Monitoring.IncomeWindowFor(reference.FirstDay);
        var costFrom = reference.AddMonths(-11);
        var households = new Dictionary<int, CheckedHousehold>();
        var personToHousehold = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var stream = File.OpenRead(province.PathOf(DatagenRunner.HouseholdsFile)))
        {
            await foreach (var row in HouseholdCsv.ReadAsync(stream))
            {
                var h = new CheckedHousehold { Members = row.Members.Count, Category = Enum.Parse<HouseholdCategory>(row.Category) };
                foreach (var m in row.Members)
                {
                    h.Labour.Add(Enum.Parse<LabourAbility>(m.LabourAbility));
                    personToHousehold.Add(m.IdNumber, row.Household);
                }
                households.Add(row.Household, h);
            }
        }
        var water = policy.Guarantees.Water;
        var housingMonth = new Dictionary<int, string>();
        foreach (var feed in Directory.EnumerateFiles(province.PathOf("feeds"), "*.csv", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            await using var stream = File.OpenRead(feed);
            await foreach (var row in FeedCsv.ReadAsync(stream))
            {
                var h = households[personToHousehold[row.IdNumber!]];
                var item = FeedItems.Find(row.Item) ?? throw new InvalidOperationException($"unknown item {row.Item}");
                Assert.True(Month.TryParse(row.Month, out var month), $"month {row.Month}");
                var inIncomeWindow = month.FirstDay >= new DateOnly(incomeFrom.Year, incomeFrom.Month, 1) && month.FirstDay <= incomeTo;
                var inCostWindow = month.CompareTo(costFrom) >= 0 && month.CompareTo(reference) <= 0;
                switch (item.Effect)
                {
                    case FeedItemEffect.Record when item.Category is MonitoringCategory.MedicalSelfPaid or MonitoringCategory.Schooling
                        or MonitoringCategory.DisasterLoss or MonitoringCategory.Accident:
                        if (inCostWindow)
                        {
                            h.Rigid[item.Category!.Value] = h.Rigid.GetValueOrDefault(item.Category!.Value) + row.AmountFen!.Value;
                        }
                        break;
                    case FeedItemEffect.Record:
                        if (inIncomeWindow)
                        {
                            h.Income[item.Category!.Value] = h.Income.GetValueOrDefault(item.Category!.Value) + row.AmountFen!.Value;
                        }
                        break;
                    case FeedItemEffect.Guarantee:
                        switch (item.Field)
                        {
                            case GuaranteeField.HousingGrade:
                                var grade = Enum.Parse<HousingSafetyGrade>(row.Value!);
                                if (h.WorstHousing is null || grade > h.WorstHousing)
                                {
                                    h.WorstHousing = grade;
                                }
                                break;
                            case GuaranteeField.OutOfSchool:
                                h.OutOfSchool |= row.Value == "yes";
                                break;
                            case GuaranteeField.MedicalInsured:
                                h.Uninsured |= row.Value == "no";
                                break;
                            case GuaranteeField.WaterQuantity:
                                h.WaterGap |= int.Parse(row.Value!, CultureInfo.InvariantCulture) < water.MinLitresPerPersonPerDay;
                                break;
                            case GuaranteeField.WaterQuality:
                                h.WaterGap |= water.QualityStandardRequired && row.Value == "no";
                                break;
                            case GuaranteeField.WaterFetchMinutes:
                                h.WaterGap |= int.Parse(row.Value!, CultureInfo.InvariantCulture) > water.MaxFetchRoundTripMinutes;
                                break;
                            case GuaranteeField.WaterSupplyRate:
                                h.WaterGap |= decimal.Parse(row.Value!, CultureInfo.InvariantCulture) < water.MinSupplyRate;
                                break;
                        }
                        break;
                    case FeedItemEffect.Exclusion:
                        h.Excluded = true;
                        break;
                }
            }
        }
        foreach (var h in households.Values)
        {
            Evaluate(h, policy);
        }
        return households;
    }

    private static void Evaluate(CheckedHousehold h, ProvincePolicy policy)
    {
        var m = policy.Monitoring;
        var gross = h.Income.Where(kv => kv.Key != MonitoringCategory.ProductiveCost).Sum(kv => kv.Value);
        var disposable = gross - h.Income.GetValueOrDefault(MonitoringCategory.ProductiveCost);
        var perCapita = (long)Math.Round((decimal)disposable / h.Members, MidpointRounding.AwayFromZero);
        var rigid = h.Rigid.Values.Sum();
        bool RigidCrosses(RatioThreshold rule) => rigid > 0 && (disposable <= 0 || rule.IsCrossed((decimal)rigid / disposable));
        if (perCapita < m.MonitoringLineFen)
        {
            h.Signals.Add("IncomeBelowLine");
        }
        if (RigidCrosses(m.RigidExpenditureToIncome))
        {
            h.Signals.Add("RigidExpenditureAboveIncome");
        }
        if (m.WarningLines.MedicalSelfPaid.IsCrossed(h.Rigid.GetValueOrDefault(MonitoringCategory.MedicalSelfPaid), h.Category))
        {
            h.Signals.Add("MedicalCostAboveWarningLine");
        }
        if (m.WarningLines.Schooling.IsCrossed(h.Rigid.GetValueOrDefault(MonitoringCategory.Schooling), h.Category))
        {
            h.Signals.Add("SchoolingCostAboveWarningLine");
        }
        if (m.WarningLines.DisasterLoss.IsCrossed(h.Rigid.GetValueOrDefault(MonitoringCategory.DisasterLoss), h.Category))
        {
            h.Signals.Add("DisasterLossAboveWarningLine");
        }
        if (h.WorstHousing is { } housing && policy.Guarantees.IsUnsafe(housing))
        {
            h.Signals.Add("HousingSafetyGap");
        }
        if (h.OutOfSchool)
        {
            h.Signals.Add("CompulsoryEducationGap");
        }
        if (h.Uninsured)
        {
            h.Signals.Add("MedicalInsuranceGap");
        }
        if (h.WaterGap)
        {
            h.Signals.Add("DrinkingWaterGap");
        }
        if (h.Signals.Count == 0 || h.Excluded)
        {
            return;
        }
        // DOMAIN.md §7 under the policy's grading rules, most severe first; capacity = the best labour ability of a member.
        var capacity = h.Labour.Contains(LabourAbility.Full) ? LabourAbility.Full
            : h.Labour.Contains(LabourAbility.Partial) ? LabourAbility.Partial
            : h.Labour.Contains(LabourAbility.Lost) ? LabourAbility.Lost
            : LabourAbility.None;
        var g = policy.Grading;
        var transferShare = gross > 0 ? (decimal)h.Income.GetValueOrDefault(MonitoringCategory.TransferNet) / gross : 0m;
        if (g.GradeOne.LabourAbilities.Contains(capacity) || RigidCrosses(g.GradeOne.RigidExpenditureToIncome)
            || perCapita < g.GradeOne.IncomeBelowPovertyLineFactor * m.PovertyLineFen)
        {
            h.Grade = 1;
        }
        else if (g.GradeTwo.LabourAbilities.Contains(capacity) && transferShare >= g.GradeTwo.MinTransferIncomeShare)
        {
            h.Grade = 2;
        }
        else if (g.GradeThree.LabourAbilities.Contains(capacity))
        {
            h.Grade = 3;
        }
    }

    /// <summary>Monitored: a signal fired and no exclusion fact blocks identification.</summary>
    public static bool IsMonitored(CheckedHousehold h) => h.Signals.Count > 0 && !h.Excluded;
}
