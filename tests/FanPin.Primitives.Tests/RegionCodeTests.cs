namespace FanPin.Primitives.Tests;

public class RegionCodeTests
{
    [Theory]
    [InlineData("620000000000", RegionLevel.Province, "62", null)]
    [InlineData("620100000000", RegionLevel.City, "6201", "620000000000")]
    [InlineData("620102000000", RegionLevel.County, "620102", "620100000000")]
    [InlineData("620102001000", RegionLevel.Township, "620102001", "620102000000")]
    [InlineData("620102001001", RegionLevel.Village, "620102001001", "620102001000")]
    [InlineData("620201100000", RegionLevel.Township, "620201100", "620201000000")] // Jiayuguan: townships under 市辖区
    public void Level_prefix_and_parent_come_from_the_code(string text, RegionLevel level, string prefix, string? parent)
    {
        var code = RegionCode.Parse(text);
        Assert.Equal(level, code.Level);
        Assert.Equal(prefix, code.Prefix);
        Assert.Equal(parent, code.Parent?.Value);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("62010200100", "not 12 digits")]
    [InlineData("6201020010011", "not 12 digits")]
    [InlineData("62010200100a", "not 12 digits")]
    [InlineData("000102001001", "no province")]
    public void Bad_codes_are_refused_with_the_reason(string text, string reason)
    {
        Assert.False(RegionCode.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Lineage_runs_from_province_to_the_region()
    {
        var lineage = RegionCode.Parse("620102001001").Lineage().Select(c => c.Value).ToList();
        Assert.Equal(["620000000000", "620100000000", "620102000000", "620102001000", "620102001001"], lineage);
    }

    [Fact]
    public void Dotted_levels_split_every_level_for_topic_routing() =>
        Assert.Equal("62.01.02.001.001", RegionCode.Parse("620102001001").ToDottedLevels());

    [Theory]
    [InlineData("620102", "620102001001", true)]
    [InlineData("620102", "620103001001", false)]
    [InlineData("62", "620103001001", true)]
    [InlineData("620102001", "620102001999", true)]
    [InlineData("620102001", "620102002001", false)]
    [InlineData("620102000000", "620102001001", true)] // a full county code is reduced to its prefix
    public void Prefix_contains_exactly_the_regions_below_it(string prefix, string region, bool contains) =>
        Assert.Equal(contains, RegionPrefix.Parse(prefix).Contains(RegionCode.Parse(region)));

    [Theory]
    [InlineData("6", "1 digits")]
    [InlineData("62010", "5 digits")]
    [InlineData("6201x2", "not digits")]
    [InlineData("00", "no province")]
    public void Bad_prefixes_are_refused(string prefix, string reason)
    {
        Assert.False(RegionPrefix.TryParse(prefix, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
