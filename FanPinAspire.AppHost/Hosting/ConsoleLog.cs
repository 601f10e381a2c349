namespace FanPin.AppHost.Hosting;

/// <summary>Writes every process's output with a coloured, aligned name prefix; one line at a time.</summary>
public sealed class ConsoleLog
{
    private static readonly ConsoleColor[] Palette = [ConsoleColor.Cyan, ConsoleColor.Green, ConsoleColor.Magenta, ConsoleColor.Yellow, ConsoleColor.Blue, ConsoleColor.DarkCyan];
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ConsoleColor> _colours = [];
    private readonly bool _colour = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
    private int _width = 10;

    /// <summary>Writes one line under <paramref name="source"/>'s prefix.</summary>
    public void Line(string source, string text, bool error = false)
    {
        lock (_gate)
        {
            if (!_colours.TryGetValue(source, out var colour))
            {
                colour = Palette[_colours.Count % Palette.Length];
                _colours[source] = colour;
                _width = Math.Max(_width, source.Length);
            }
            if (_colour)
            {
                Console.ForegroundColor = error ? ConsoleColor.Red : colour;
            }
            Console.Write(source.PadRight(_width));
            Console.Write(" | ");
            if (_colour)
            {
                Console.ResetColor();
            }
            Console.WriteLine(text);
        }
    }

    /// <summary>Writes a line from the AppHost itself.</summary>
    public void Host(string text, bool error = false) => Line("apphost", text, error);
}
