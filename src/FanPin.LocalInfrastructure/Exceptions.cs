namespace FanPin.LocalInfrastructure;

/// <summary>A server binary is missing: names the Debian package and the command that installs it.</summary>
public sealed class MissingPrerequisiteException(string server, string binary, string debianPackage)
    : Exception($"{server} is not installed: {binary} was not found. Install it with `sudo apt-get install -y {debianPackage}` " +
                "or run `bash scripts/setup.sh`, which installs every server FanPin needs.")
{
    /// <summary>The Debian package that provides the binary.</summary>
    public string DebianPackage { get; } = debianPackage;

    /// <summary>The server's display name.</summary>
    public string Server { get; } = server;

    /// <summary>The missing file.</summary>
    public string Binary { get; } = binary;
}

/// <summary>A local server failed to start, died, or could not serve; carries the end of its log.</summary>
public sealed class LocalServerFailedException(string server, string message, string logPath, string logTail)
    : Exception($"{message} Log: {logPath}{(logTail.Length > 0 ? "\n--- last lines ---\n" + logTail : "")}")
{
    /// <summary>The server's display name.</summary>
    public string Server { get; } = server;

    /// <summary>Where the full log is.</summary>
    public string LogPath { get; } = logPath;
}
