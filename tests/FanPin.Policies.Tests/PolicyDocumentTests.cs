namespace FanPin.Policies.Tests;

public class PolicyDocumentTests
{
    private static string SamplePath(string name) => Path.Combine(AppContext.BaseDirectory, "policies", name);

    [Fact]
    public void The_default_carries_the_values_of_the_domain()
    {
        var p = DefaultPolicy.Policy;
        Assert.Equal("00", p.Province);
        Assert.Equal(650_000, p.Monitoring.MonitoringLineFen);
        Assert.Equal(IncomeWindowRule.SameMonthLastYearToLastMonth, p.Monitoring.IncomeWindow);
        Assert.Equal(new Threshold(Comparison.GreaterThan, ByCategory<long>.Both(500_000)), p.Monitoring.WarningLines.MedicalSelfPaid);
        Assert.Equal(1_000_000, p.Monitoring.WarningLines.DisasterLoss.AmountFen.Ordinary);
        Assert.Equal(800_000, p.Monitoring.WarningLines.Schooling.AmountFen.PovertyAlleviated);
        Assert.Equal([HousingSafetyGrade.C, HousingSafetyGrade.D], p.Guarantees.UnsafeHousingGrades);
        Assert.Equal(5, p.Identification.HomeVerification.DueWorkingDays);
        Assert.Equal(new PublicNoticeStep(true, 5, DayCounting.Calendar, true), p.Identification.PublicNotice);
        Assert.Equal(4, p.Identification.DataComparison.Exclusions.Count);
        Assert.Equal(6, p.Closing.StableIncomeMonths);
        Assert.Equal(AssessmentCadence.FourthQuarter, p.Closing.Assessment.Cadence);
        Assert.Equal(2, p.Visits.PerMonth);
        Assert.Equal(5, p.DepartmentFeeds.DueDayOfMonth);
        Assert.Equal([3, 9], p.DepartmentFeeds.MonthsFor(Departments.Education));
        Assert.Equal(12, p.DepartmentFeeds.MonthsFor(Departments.CivilAffairs).Count);
        Assert.Equal(3, p.Monitoring.IncomeDropMonths);
        Assert.Equal(10, p.DepartmentFeeds.Expected.Count);
        Assert.True(p.DepartmentFeeds.IsExpected(Departments.MedicalInsurance));
        Assert.False(p.DepartmentFeeds.IsExpected(Departments.Agriculture));
        Assert.Equal(new FeedAnomalyRule(6, 0.8m, 0.5m, 0.05m), p.DepartmentFeeds.Anomaly);
        Assert.Equal(0.10m, p.Insurance.ShareOfLinePerPerson);
        Assert.Equal(1.5m, p.Grading.GradeOne.IncomeBelowPovertyLineFactor);
    }

    [Theory]
    [InlineData("sample-51-v1-5200-no-notice.yaml")]
    [InlineData("sample-45-v1-category-thresholds.yaml")]
    [InlineData("sample-45-v2-line-raised.yaml")]
    [InlineData(null)]
    public void Writing_and_reading_back_gives_the_same_policy(string? sample)
    {
        var policy = sample is null ? DefaultPolicy.Policy : PolicyDocument.Load(SamplePath(sample));
        var yaml = PolicyDocument.ToYaml(policy);
        var back = PolicyDocument.Parse(yaml);
        Assert.Equal(policy, back);
        Assert.Equal(yaml, PolicyDocument.ToYaml(back));
        Assert.DoesNotContain("base:", yaml, StringComparison.Ordinal); // the stored form is complete
    }

    [Fact]
    public void Json_documents_are_read_too()
    {
        var json = """
            { "base": "default", "province": "33", "version": 3, "effective_from": "2025-01-01",
              "monitoring": { "monitoring_line_fen": 700000 } }
            """;
        var policy = PolicyDocument.Parse(json);
        Assert.Equal("33", policy.Province);
        Assert.Equal(700_000, policy.Monitoring.MonitoringLineFen);
        Assert.Equal(DefaultPolicy.Policy.Monitoring.PovertyLineFen, policy.Monitoring.PovertyLineFen);
    }

    [Fact]
    public void Sample_a_skips_the_notice_and_counts_5_plus_15()
    {
        var p = PolicyDocument.Load(SamplePath("sample-51-v1-5200-no-notice.yaml"));
        Assert.Equal(520_000, p.Monitoring.MonitoringLineFen);
        Assert.False(p.Identification.PublicNotice.Enabled);
        Assert.Equal(new DecisionDeadline(15, DeadlineStart.VerificationCompleted), p.Identification.DecisionDeadline);
        Assert.Equal(5, p.Identification.HomeVerification.DueWorkingDays);
        Assert.True(p.Identification.DemocraticAppraisal.Enabled); // untouched keys come from the default
    }

    [Theory]
    [InlineData(HouseholdCategory.PovertyAlleviated, 499_999, false)]
    [InlineData(HouseholdCategory.PovertyAlleviated, 500_000, true)]
    [InlineData(HouseholdCategory.Ordinary, 500_000, false)]
    [InlineData(HouseholdCategory.Ordinary, 1_999_999, false)]
    [InlineData(HouseholdCategory.Ordinary, 2_000_000, true)]
    public void Sample_b_medical_alert_depends_on_the_household_category(HouseholdCategory category, long selfPaidFen, bool crossed)
    {
        var p = PolicyDocument.Load(SamplePath("sample-45-v1-category-thresholds.yaml"));
        Assert.Equal(crossed, p.Monitoring.WarningLines.MedicalSelfPaid.IsCrossed(selfPaidFen, category));
    }

    [Theory]
    [InlineData(500_000, false)] // exactly 5,000 is not "over 5,000"
    [InlineData(500_001, true)]
    public void The_default_medical_alert_is_strictly_over_the_line(long selfPaidFen, bool crossed) =>
        Assert.Equal(crossed, DefaultPolicy.Policy.Monitoring.WarningLines.MedicalSelfPaid.IsCrossed(selfPaidFen, HouseholdCategory.Ordinary));

    [Theory]
    [InlineData("2025-03-17", "2024-03-01", "2025-02-28")]
    [InlineData("2025-01-05", "2024-01-01", "2024-12-31")]
    [InlineData("2024-03-31", "2023-03-01", "2024-02-29")]
    public void The_income_window_runs_from_the_same_month_last_year_to_last_month(string discovered, string from, string to)
    {
        var (f, t) = DefaultPolicy.Policy.Monitoring.IncomeWindowFor(DateOnly.Parse(discovered));
        Assert.Equal(DateOnly.Parse(from), f);
        Assert.Equal(DateOnly.Parse(to), t);
    }

    [Theory]
    [InlineData(600_000, 3, 0 + 3 * 50_000 + 195_000)]    // gap 500 CNY × 3 + 10% of 6,500 × 3
    [InlineData(650_000, 3, 0)]                            // at the line: nothing
    [InlineData(100_000, 0, 0)]
    public void Insurance_pays_the_gap_plus_a_share_of_the_line_per_person(long perCapitaFen, int persons, long expectedFen)
    {
        var p = DefaultPolicy.Policy;
        Assert.Equal(expectedFen, p.Insurance.PayoutFen(p.Monitoring, perCapitaFen, persons));
    }

    [Theory]
    [InlineData(10, true)]
    [InlineData(12, true)]
    [InlineData(9, false)]
    public void The_default_assesses_closing_in_the_fourth_quarter(int month, bool assessed) =>
        Assert.Equal(assessed, DefaultPolicy.Policy.Closing.Assessment.IsAssessmentMonth(month));

    [Fact]
    public void Feed_due_dates_follow_the_department_schedule()
    {
        var feeds = DefaultPolicy.Policy.DepartmentFeeds;
        Assert.Equal(new DateOnly(2025, 4, 5), feeds.DueDate(Departments.MedicalInsurance, 2025, 4));
        Assert.Null(feeds.DueDate(Departments.Education, 2025, 4));
        Assert.Equal(new DateOnly(2025, 9, 5), feeds.DueDate(Departments.Education, 2025, 9));
    }
}
