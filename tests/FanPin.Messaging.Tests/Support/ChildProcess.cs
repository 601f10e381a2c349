using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using FanPin.Testing;

namespace FanPin.Messaging.Tests.Support;

/// <summary>A dotnet child process whose output lines can be awaited.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly StringBuilder _errors = new();

    private ChildProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _lines.Enqueue(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_errors)
                {
                    _errors.AppendLine(e.Data);
                }
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public StreamWriter StandardInput => _process.StandardInput;

    public string Output => string.Join('\n', _lines);

    public IReadOnlyList<string> Lines => [.. _lines];

    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    public static ChildProcess StartDll(string dll, params string[] arguments) => Start("dotnet", [dll, .. arguments]);

    public static ChildProcess Start(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return new ChildProcess(Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}"));
    }

    /// <summary>Waits for an output line starting with <paramref name="prefix"/> and returns it.</summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        string? found = null;
        await Eventually.WaitAsync(() =>
        {
            if (_process.HasExited && found is null && !_lines.Any(l => l.StartsWith(prefix, StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"child exited ({_process.ExitCode}) before '{prefix}'. Output: {Output}\nErrors: {Errors}");
            }
            found = _lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            return Task.FromResult(found is not null);
        }, $"'{prefix}' from the child", timeout, () => Task.FromResult($"output: {Output}; errors: {Errors}"));
        return found!;
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
    }
}
