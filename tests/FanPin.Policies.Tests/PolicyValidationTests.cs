namespace FanPin.Policies.Tests;

public class PolicyValidationTests
{
    private const string Head = "base: default\nprovince: \"62\"\nversion: 2\neffective_from: 2025-01-01\n";

    private static PolicyValidationException Fails(string yaml) =>
        Assert.Throws<PolicyValidationException>(() => PolicyDocument.Parse(yaml, "test.yaml"));

    [Theory]
    [InlineData("base: default\nprovince: \"6\"\nversion: 1\neffective_from: 2025-01-01\n", "province", "2-digit province code")]
    [InlineData("base: default\nprovince: \"99\"\nversion: 1\neffective_from: 2025-01-01\n", "province", "2-digit province code")]
    [InlineData("base: default\nprovince: \"62\"\nversion: 0\neffective_from: 2025-01-01\n", "version", "out of range")]
    [InlineData("base: default\nprovince: \"62\"\nversion: 1\neffective_from: 2025-13-01\n", "effective_from", "not a date")]
    [InlineData("base: default\nprovince: \"62\"\nversion: 1\n", "effective_from", "is required")]
    [InlineData(Head + "monitoring: { monitoring_line_fen: -5 }", "monitoring.monitoring_line_fen", "out of range")]
    [InlineData(Head + "monitoring: { monitoring_line_fen: 65OO }", "monitoring.monitoring_line_fen", "not a whole number")]
    [InlineData(Head + "monitoring: { poverty_line_fen: 700000 }", "monitoring.poverty_line_fen", "above the monitoring line")]
    [InlineData(Head + "monitoring: { monitoring_lin_fen: 1 }", "monitoring.monitoring_lin_fen", "not a known key")]
    [InlineData(Head + "monitoring: { income_window: fiscal_year }", "monitoring.income_window", "not one of")]
    [InlineData(Head + "monitoring: { income_drop: { comparison: at_least, ratio: 1.5 } }", "monitoring.income_drop.ratio", "out of range")]
    [InlineData(Head + "monitoring: { warning_lines: { schooling: { comparison: more, amount_fen: 1 } } }", "monitoring.warning_lines.schooling.comparison", "not one of: greater_than, at_least")]
    [InlineData(Head + "monitoring: { warning_lines: { schooling: { comparison: at_least, amount_fen: { ordinary: 1 } } } }", "monitoring.warning_lines.schooling.amount_fen.poverty_alleviated", "is required")]
    [InlineData(Head + "guarantees: { unsafe_housing_grades: [C, C] }", "guarantees.unsafe_housing_grades[1]", "listed twice")]
    [InlineData(Head + "guarantees: { unsafe_housing_grades: [] }", "guarantees.unsafe_housing_grades", "must not be empty")]
    [InlineData(Head + "guarantees: { water: { min_supply_rate: 1.2 } }", "guarantees.water.min_supply_rate", "out of range")]
    [InlineData(Head + "grading: { grade_one: { response_working_days: 30 } }", "grading.grade_one.response_working_days", "I ≤ II ≤ III")]
    [InlineData(Head + "grading: { grade_two: { labour_abilities: [retired] } }", "grading.grade_two.labour_abilities[0]", "not one of")]
    [InlineData(Head + "identification: { home_verification: { enabled: false, due_working_days: 5 }, decision_deadline: { working_days: 15, counted_from: verification_completed } }", "identification.decision_deadline.counted_from", "home_verification is switched off")]
    [InlineData(Head + "identification: { decision_deadline: { working_days: 3, counted_from: case_opened } }", "identification.decision_deadline.working_days", "shorter than the home verification deadline")]
    [InlineData(Head + "identification: { first_home_visit_working_days: 7 }", "identification.first_home_visit_working_days", "later than the home verification deadline")]
    [InlineData(Head + "identification: { public_notice: { enabled: yes please } }", "identification.public_notice.enabled", "not true or false")]
    [InlineData(Head + "identification: { data_comparison: { exclusions: [yacht] } }", "identification.data_comparison.exclusions[0]", "not one of")]
    [InlineData(Head + "closing: { assessment: { cadence: every_months } }", "closing.assessment.every_months", "is required")]
    [InlineData(Head + "closing: { assessment: { cadence: fourth_quarter, every_months: 2 } }", "closing.assessment.every_months", "only to cadence every_months")]
    [InlineData(Head + "department_feeds: { exceptions: [ { department: fishery, months: [3] } ] }", "department_feeds.exceptions[0].department", "not a known department")]
    [InlineData(Head + "department_feeds: { exceptions: [ { department: education, months: [3, 13] } ] }", "department_feeds.exceptions[0].months[1]", "out of range")]
    [InlineData(Head + "department_feeds: { due_day_of_month: 31 }", "department_feeds.due_day_of_month", "out of range")]
    [InlineData(Head + "department_feeds: { expected: [water, fishery] }", "department_feeds.expected[1]", "not a known department")]
    [InlineData(Head + "department_feeds: { expected: [water, water] }", "department_feeds.expected[1]", "listed twice")]
    [InlineData(Head + "department_feeds: { anomaly: { max_error_rate: 1.5 } }", "department_feeds.anomaly.max_error_rate", "out of range")]
    [InlineData(Head + "monitoring: { income_drop_months: 13 }", "monitoring.income_drop_months", "out of range")]
    [InlineData(Head + "insurance: { line: median_income }", "insurance.line", "not one of")]
    [InlineData(Head + "calendar: { holidays: [ { name: x, from: 2025-05-05, to: 2025-05-01 } ], working_weekend_days: [] }", "calendar.holidays[0].to", "before from")]
    [InlineData(Head + "calendar: { holidays: [], working_weekend_days: [2025-03-03] }", "calendar.working_weekend_days[0]", "is a Monday")]
    [InlineData(Head + "calendar: { holidays: [ { name: 国庆节, from: 2025-10-01, to: 2025-10-08 } ], working_weekend_days: [2025-10-04] }", "calendar.working_weekend_days[0]", "inside the holiday")]
    [InlineData(Head + "visits: 2", "visits", "must be a mapping")]
    [InlineData(Head + "base2: 1", "base2", "not a known key")]
    [InlineData("base: parent\nprovince: \"62\"", "base", "must be 'default'")]
    [InlineData("province: [unclosed", "(line", "")]
    [InlineData("- a\n- b", "(document)", "single mapping")]
    public void Invalid_values_are_reported_with_their_path_and_reason(string yaml, string path, string reason)
    {
        var ex = Fails(yaml);
        Assert.Contains(ex.Errors, e => e.Path.StartsWith(path, StringComparison.Ordinal) && e.Reason.Contains(reason, StringComparison.Ordinal));
        Assert.Contains("test.yaml", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var ex = Fails(Head + """
            monitoring: { monitoring_line_fen: -1, income_window: weekly }
            visits: { per_month: 0 }
            notification: { grade_one_escalation_hours: x }
            """);
        Assert.Equal(
            ["monitoring.income_window", "monitoring.monitoring_line_fen", "notification.grade_one_escalation_hours", "visits.per_month"],
            ex.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_full_document_without_base_must_have_every_section()
    {
        var ex = Fails("province: \"62\"\nversion: 1\neffective_from: 2025-01-01\nmonitoring: {}\n");
        Assert.Contains(ex.Errors, e => e.Path == "monitoring.monitoring_line_fen" && e.Reason == "is required");
        Assert.Contains(ex.Errors, e => e.Path == "calendar" && e.Reason == "is required");
        Assert.DoesNotContain(ex.Errors, e => e.Path.StartsWith("calendar.", StringComparison.Ordinal)); // a missing section is reported once
    }

    [Fact]
    public void A_policy_changed_in_code_is_checked_by_the_same_rules()
    {
        var bad = DefaultPolicy.Policy with { Visits = new VisitPolicy(0) };
        Assert.Equal(["visits.per_month"], PolicyDocument.Validate(bad).Select(e => e.Path));
        Assert.Empty(PolicyDocument.Validate(DefaultPolicy.Policy));
    }
}
