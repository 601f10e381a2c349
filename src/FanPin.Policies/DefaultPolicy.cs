namespace FanPin.Policies;

/// <summary>The built-in default policy (embedded <c>default-policy.yaml</c>): DOMAIN.md's defaults, province "00".</summary>
public static class DefaultPolicy
{
    private static readonly Lazy<string> Text = new(() =>
    {
        using var stream = typeof(DefaultPolicy).Assembly.GetManifestResourceStream("FanPin.Policies.default-policy.yaml")
            ?? throw new InvalidOperationException("The default policy resource is missing from FanPin.Policies.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    private static readonly Lazy<ProvincePolicy> Parsed = new(() => PolicyDocument.Parse(Text.Value, "default"));

    /// <summary>The document text.</summary>
    public static string Yaml => Text.Value;

    /// <summary>The default, parsed and validated.</summary>
    public static ProvincePolicy Policy => Parsed.Value;

    /// <summary>The default as version 1 of <paramref name="province"/>, effective from its own date.</summary>
    public static ProvincePolicy For(string province) => Policy with { Province = province };
}
