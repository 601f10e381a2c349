namespace FanPin.Messaging.Tests.Support;

internal static class Paths
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Configuration => AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string TestHostDll => Path.Combine(RepositoryRoot, "tests", "FanPin.Messaging.TestHost", "bin", Configuration, "net10.0", "FanPin.Messaging.TestHost.dll");

    public static string CliDll => Path.Combine(RepositoryRoot, "src", "FanPin.Cli", "bin", Configuration, "net10.0", "fanpin.dll");

    public static string Docs => Path.Combine(RepositoryRoot, "docs");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FanPinAspire.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
