namespace FanPin.Monitoring.Tests.Support;

/// <summary>Unique regions and ID numbers, so tests sharing a database never see each other's data.</summary>
public static class TestData
{
    private static int _county;
    private static int _person;

    /// <summary>A fresh county code in province 62 ("62" + city + county, never reused in a run).</summary>
    public static string NewCounty()
    {
        var n = Interlocked.Increment(ref _county);
        return $"62{(n / 90) + 10:D2}{(n % 90) + 10:D2}";
    }

    /// <summary>A village of the county.</summary>
    public static string Village(string county, int township = 1, int village = 1) => $"{county}{township:D3}{village:D3}";

    /// <summary>A fresh valid ID number (born 1980–1999, unique in the run).</summary>
    public static IdNumber NewId()
    {
        var n = Interlocked.Increment(ref _person);
        return IdNumber.Create("620102", new DateOnly(1980 + (n / 999 % 20), 1 + (n % 12), 1 + (n % 28)), n % 999);
    }

    /// <summary>An 18-character ID number whose check character is wrong.</summary>
    public static string WithWrongCheckDigit(IdNumber id)
    {
        var last = id.Value[17];
        var wrong = last == '0' ? '1' : '0';
        return id.Value[..17] + wrong;
    }
}
