using System.Reflection;
using Google.Protobuf.Reflection;

namespace FanPin.Grpc.CodeGeneration;

/// <summary>The bindings every proto file of a contracts assembly needs, and their comparison with a folder.</summary>
public static class ContractBindings
{
    /// <summary>Every proto file compiled into <paramref name="contracts"/>, with the class protoc generated for it.</summary>
    public static IReadOnlyList<(FileDescriptor File, Type ReflectionClass)> ProtoFiles(Assembly contracts) =>
        contracts.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: true, IsSealed: true } && t.Name.EndsWith("Reflection", StringComparison.Ordinal))
            .Select(t => (File: t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as FileDescriptor, ReflectionClass: t))
            .Where(x => x.File is not null)
            .Select(x => (x.File!, x.ReflectionClass))
            .OrderBy(x => x.Item1.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>Every service of every proto file in <paramref name="contracts"/>.</summary>
    public static IReadOnlyList<ServiceDescriptor> Services(Assembly contracts) =>
        ProtoFiles(contracts).SelectMany(f => f.File.Services).ToList();

    /// <summary>Relative path → source of the bindings of every proto file with services.</summary>
    public static IReadOnlyDictionary<string, string> Render(Assembly contracts)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, reflectionClass) in ProtoFiles(contracts))
        {
            if (BindingWriter.Write(file, reflectionClass) is { } source)
            {
                files[BindingWriter.RelativePath(file)] = source;
            }
        }
        return files;
    }

    /// <summary>The differences between <paramref name="folder"/> and <paramref name="expected"/>: one line per file.</summary>
    public static IReadOnlyList<string> Compare(string folder, IReadOnlyDictionary<string, string> expected)
    {
        var drift = new List<string>();
        foreach (var (path, source) in expected)
        {
            var full = Path.Combine(folder, path);
            if (!File.Exists(full))
            {
                drift.Add($"{path}: missing");
            }
            else if (File.ReadAllText(full).ReplaceLineEndings("\n") != source)
            {
                drift.Add($"{path}: differs from the proto");
            }
        }
        if (Directory.Exists(folder))
        {
            foreach (var full in Directory.EnumerateFiles(folder, "*.grpc.cs", SearchOption.AllDirectories))
            {
                var path = Path.GetRelativePath(folder, full).Replace('\\', '/');
                if (!expected.ContainsKey(path))
                {
                    drift.Add($"{path}: no longer matches a proto file with services");
                }
            }
        }
        return drift;
    }

    /// <summary>Makes <paramref name="folder"/> hold exactly <paramref name="expected"/>.</summary>
    public static void Write(string folder, IReadOnlyDictionary<string, string> expected)
    {
        foreach (var (path, source) in expected)
        {
            var full = Path.Combine(folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            if (!File.Exists(full) || File.ReadAllText(full) != source)
            {
                File.WriteAllText(full, source);
            }
        }
        if (Directory.Exists(folder))
        {
            foreach (var full in Directory.EnumerateFiles(folder, "*.grpc.cs", SearchOption.AllDirectories))
            {
                if (!expected.ContainsKey(Path.GetRelativePath(folder, full).Replace('\\', '/')))
                {
                    File.Delete(full);
                }
            }
        }
    }
}
