using FanPin.Cli.Datagen;

namespace FanPin.Cli.Tests;

/// <summary>A generated province in a temporary directory, deleted afterwards.</summary>
public class GeneratedProvince : IDisposable
{
    /// <summary>The last month of history every test uses (fixed, so results never depend on the date).</summary>
    public static readonly Month LastMonth = Month.Of(2026, 9);

    public GeneratedProvince(DatagenSettings settings)
    {
        Settings = settings;
        Directory = Path.Combine(Path.GetTempPath(), "fanpin-datagen-" + Guid.NewGuid().ToString("N"));
        Summary = DatagenRunner.WriteFilesAsync(settings, Directory).GetAwaiter().GetResult();
    }

    public DatagenSettings Settings { get; }

    public string Directory { get; }

    public DatagenSummary Summary { get; }

    public string PathOf(string relative) => Path.Combine(Directory, relative);

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>10,000 households over the whole province, 12 months: the fixture of the data checks.</summary>
public sealed class TenThousandHouseholds() : GeneratedProvince(new DatagenSettings(20261124, 10_000, "62", null, 12, LastMonth));
