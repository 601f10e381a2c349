namespace FanPin.Policies.Tests;

/// <summary>The grading keys added for the grading service: optional, so versions published before them read the same.</summary>
public class GradingKeysTests
{
    [Fact]
    public void Absent_keys_keep_the_earlier_behaviour()
    {
        var yaml = PolicyDocument.ToYaml(DefaultPolicy.Policy)
            .Replace("    unstable_income_suffices: true\n", "", StringComparison.Ordinal);
        Assert.DoesNotContain("unstable_income_suffices", yaml, StringComparison.Ordinal);
        var policy = PolicyDocument.Parse(yaml);
        Assert.True(policy.Grading.GradeThree.UnstableIncomeSuffices);
        Assert.Null(policy.Grading.EscalationWorkingDays);
        Assert.Equal(DefaultPolicy.Policy, policy);
    }

    [Fact]
    public void Set_keys_are_read_and_written_back()
    {
        var policy = PolicyDocument.Parse("""
            base: default
            province: "62"
            version: 2
            effective_from: 2025-03-01
            grading:
              grade_three: { unstable_income_suffices: false }
              escalation_working_days: 3
            """);
        Assert.False(policy.Grading.GradeThree.UnstableIncomeSuffices);
        Assert.Equal(3, policy.Grading.EscalationWorkingDays);
        Assert.Equal(20, policy.Grading.GradeThree.ResponseWorkingDays);
        var back = PolicyDocument.Parse(PolicyDocument.ToYaml(policy));
        Assert.Equal(policy, back);
        Assert.NotEqual(DefaultPolicy.Policy with { Province = "62", Version = 2, EffectiveFrom = new DateOnly(2025, 3, 1), Title = "" }, policy);
    }

    [Theory]
    [InlineData("grade_three: { unstable_income_suffices: sometimes }", "grading.grade_three.unstable_income_suffices")]
    [InlineData("escalation_working_days: 0", "grading.escalation_working_days")]
    public void Bad_values_are_reported_with_their_path(string grading, string path)
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyDocument.Parse($"""
            base: default
            province: "62"
            version: 2
            effective_from: 2025-03-01
            grading:
              {grading}
            """));
        Assert.Contains(ex.Errors, e => e.Path == path);
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    public void Response_days_are_looked_up_by_grade(int grade, int days) =>
        Assert.Equal(days, DefaultPolicy.Policy.Grading.ResponseWorkingDays(grade));
}
