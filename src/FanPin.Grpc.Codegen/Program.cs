using FanPin.Grpc.CodeGeneration;

// Writes (or with --check, verifies) the typed bindings of every proto service compiled into FanPin.Contracts.
var check = args.Contains("--check");
var root = FindRepositoryRoot(AppContext.BaseDirectory) ?? FindRepositoryRoot(Directory.GetCurrentDirectory())
    ?? throw new InvalidOperationException("Run inside the repository (no FanPinAspire.sln above this folder).");
var bindings = Path.Combine(root, "src", "FanPin.Contracts", "Bindings");
var expected = ContractBindings.Render(typeof(FanPin.Contracts.Testing.V1.EchoReflection).Assembly);
var drift = ContractBindings.Compare(bindings, expected);
if (check)
{
    foreach (var line in drift)
    {
        Console.Error.WriteLine(line);
    }
    if (drift.Count > 0)
    {
        Console.Error.WriteLine("Bindings are out of date: run `dotnet run --project src/FanPin.Grpc.Codegen` and commit the result.");
        return 1;
    }
    Console.WriteLine($"Bindings are current ({expected.Count} files).");
    return 0;
}
ContractBindings.Write(bindings, expected);
Console.WriteLine(drift.Count == 0 ? $"Bindings were already current ({expected.Count} files)." : string.Join('\n', drift.Select(d => "updated: " + d)));
return 0;

static string? FindRepositoryRoot(string start)
{
    for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "FanPinAspire.sln")))
        {
            return dir.FullName;
        }
    }
    return null;
}
