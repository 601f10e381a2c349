namespace FanPin.Policies.Tests;

/// <summary><c>monitoring.stable_income_min_months</c>: optional (versions published before it read the same), 1–12, written back.</summary>
public class MonitoringKeysTests
{
    [Fact]
    public void The_default_sets_it_and_an_older_complete_version_without_it_reads_as_not_judged()
    {
        Assert.Equal(9, DefaultPolicy.Policy.Monitoring.StableIncomeMinMonths);
        var yaml = PolicyDocument.ToYaml(DefaultPolicy.Policy);
        Assert.Contains("stable_income_min_months: 9", yaml, StringComparison.Ordinal);
        var older = PolicyDocument.Parse(yaml.Replace("  stable_income_min_months: 9\n", "", StringComparison.Ordinal));
        Assert.Null(older.Monitoring.StableIncomeMinMonths);
        Assert.Equal(DefaultPolicy.Policy with { Monitoring = DefaultPolicy.Policy.Monitoring with { StableIncomeMinMonths = null } }, older);
    }

    [Fact]
    public void A_province_sets_its_own_and_it_is_written_back()
    {
        var policy = PolicyDocument.Parse("""
            base: default
            province: "62"
            version: 2
            effective_from: 2025-03-01
            monitoring:
              stable_income_min_months: 6
            """);
        Assert.Equal(6, policy.Monitoring.StableIncomeMinMonths);
        Assert.Equal(policy, PolicyDocument.Parse(PolicyDocument.ToYaml(policy)));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("13")]
    public void Out_of_range_values_are_reported_with_their_path(string value)
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyDocument.Parse($"""
            base: default
            province: "62"
            version: 2
            effective_from: 2025-03-01
            monitoring:
              stable_income_min_months: {value}
            """));
        Assert.Contains(ex.Errors, e => e.Path == "monitoring.stable_income_min_months");
    }
}
