namespace FanPin.Registry.Domain;

/// <summary>A statistical division (行政区划): 12-digit code, name, level read from the code, parent.</summary>
public sealed class Region
{
    private Region()
    {
    }

    /// <summary>A region; the level and parent come from the code itself.</summary>
    public Region(RegionCode code, string name)
    {
        Code = code.Value;
        Name = name;
        Level = code.Level;
        ParentCode = code.Parent?.Value;
    }

    /// <summary>12 digits.</summary>
    public string Code { get; private set; } = "";

    /// <summary>Official name.</summary>
    public string Name { get; private set; } = "";

    /// <summary>Province … village.</summary>
    public RegionLevel Level { get; private set; }

    /// <summary>The parent's code; null for a province.</summary>
    public string? ParentCode { get; private set; }

    /// <summary>Renames (a re-import may correct names; codes never change).</summary>
    public void Rename(string name) => Name = name;
}
