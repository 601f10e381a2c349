using System.Globalization;

namespace FanPin.Cli.Datagen;

/// <summary>
/// SplitMix64: tiny, fast and fully specified, so the same seed gives the same numbers on every runtime (System.Random's
/// seeded algorithm is an implementation detail). Every household gets its own stream (<see cref="For"/>), so output
/// does not depend on how the work is split between threads.
/// </summary>
public sealed class Rng
{
    private ulong _state;

    /// <summary>A stream for <paramref name="seed"/>.</summary>
    public Rng(ulong seed) => _state = seed;

    /// <summary>The stream of item <paramref name="index"/> under <paramref name="seed"/> in <paramref name="domain"/>.</summary>
    public static Rng For(long seed, long domain, long index) => new(Mix(Mix((ulong)seed ^ 0x5DEECE66DUL) ^ (ulong)domain) ^ (ulong)index * 0x9E3779B97F4A7C15UL);

    /// <summary>The SplitMix64 finaliser.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Next 64 bits.</summary>
    public ulong Next() => Mix(_state += 0x9E3779B97F4A7C15UL);

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [min, max).</summary>
    public double Between(double min, double max) => min + ((max - min) * NextDouble());

    /// <summary>Uniform integer in [min, maxExclusive).</summary>
    public int Next(int min, int maxExclusive) => min + (int)((Next() >> 1) % (ulong)(maxExclusive - min));

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextDouble() < p;
}

/// <summary>A calendar month as a running index (year × 12 + month − 1).</summary>
public readonly record struct Month(int Index) : IComparable<Month>
{
    /// <summary>The month of <paramref name="year"/>, <paramref name="month"/> (1–12).</summary>
    public static Month Of(int year, int month) => new((year * 12) + month - 1);

    /// <summary>The month containing <paramref name="day"/>.</summary>
    public static Month Of(DateOnly day) => Of(day.Year, day.Month);

    /// <summary>Year.</summary>
    public int Year => Index / 12;

    /// <summary>Month of the year, 1–12.</summary>
    public int Number => (Index % 12) + 1;

    /// <summary>First day.</summary>
    public DateOnly FirstDay => new(Year, Number, 1);

    /// <summary>Last day.</summary>
    public DateOnly LastDay => FirstDay.AddMonths(1).AddDays(-1);

    /// <summary>This month plus <paramref name="months"/>.</summary>
    public Month AddMonths(int months) => new(Index + months);

    /// <summary>Parses "yyyy-MM".</summary>
    public static bool TryParse(string? text, out Month month)
    {
        month = default;
        if (text is not { Length: 7 } || text[4] != '-'
            || !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var y)
            || !int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m) || m is < 1 or > 12 || y < 1900)
        {
            return false;
        }
        month = Of(y, m);
        return true;
    }

    /// <inheritdoc/>
    public int CompareTo(Month other) => Index.CompareTo(other.Index);

    /// <summary>"yyyy-MM".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-{Number:D2}");
}

/// <summary>A growable UTF-8 byte buffer with the few writes CSV lines need (no strings allocated per cell).</summary>
public sealed class ByteSink
{
    private byte[] _buffer;

    /// <summary>An empty sink.</summary>
    public ByteSink(int capacity = 1024) => _buffer = new byte[capacity];

    /// <summary>Bytes written.</summary>
    public int Length { get; private set; }

    /// <summary>The content.</summary>
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>The content as memory (for asynchronous writes).</summary>
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>Empties the sink, keeping its buffer.</summary>
    public void Clear() => Length = 0;

    private Span<byte> Reserve(int count)
    {
        if (Length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + count));
        }
        return _buffer.AsSpan(Length);
    }

    /// <summary>Appends bytes.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        Length += bytes.Length;
    }

    /// <summary>Appends one byte.</summary>
    public void Write(byte b)
    {
        Reserve(1)[0] = b;
        Length++;
    }

    /// <summary>Appends an integer in invariant notation.</summary>
    public void Write(long value)
    {
        value.TryFormat(Reserve(20), out var written, default, CultureInfo.InvariantCulture);
        Length += written;
    }

    /// <summary>Appends ASCII characters.</summary>
    public void WriteAscii(ReadOnlySpan<char> chars)
    {
        var span = Reserve(chars.Length);
        for (var i = 0; i < chars.Length; i++)
        {
            span[i] = (byte)chars[i];
        }
        Length += chars.Length;
    }
}
