using System.Collections;
using System.Text;

namespace FanPin.Grpc;

/// <summary>
/// gRPC metadata: request headers, response headers or trailers. Keys are lower case; keys ending in
/// <c>-bin</c> carry bytes (base64 on the wire), all others printable ASCII text.
/// </summary>
public sealed class Metadata : IEnumerable<Metadata.Entry>
{
    /// <summary>The suffix that marks a binary key.</summary>
    public const string BinarySuffix = "-bin";

    // Created on first Add: most calls carry no trailers, and an empty Metadata should cost one object.
    private List<Entry>? _entries;

    private List<Entry> Entries => _entries ??= [];

    /// <summary>An empty, read-only-by-convention instance for "no metadata".</summary>
    internal static Metadata Empty => new();

    /// <summary>Number of entries.</summary>
    public int Count => _entries?.Count ?? 0;

    /// <summary>The entry at <paramref name="index"/>.</summary>
    public Entry this[int index] => Entries[index];

    /// <summary>Adds a text entry.</summary>
    public void Add(string key, string value) => Entries.Add(new Entry(key, value));

    /// <summary>Adds a binary entry; the key must end in <c>-bin</c>.</summary>
    public void Add(string key, byte[] value) => Entries.Add(new Entry(key, value));

    /// <summary>Adds an entry.</summary>
    public void Add(Entry entry) => Entries.Add(entry);

    /// <summary>The last entry with this key, or null.</summary>
    public Entry? Get(string key)
    {
        var normalized = Entry.NormalizeKey(key);
        for (var i = Count - 1; i >= 0; i--)
        {
            if (_entries![i].Key == normalized)
            {
                return _entries[i];
            }
        }
        return null;
    }

    /// <summary>Every entry with this key, in order.</summary>
    public IEnumerable<Entry> GetAll(string key)
    {
        var normalized = Entry.NormalizeKey(key);
        return (_entries ?? []).Where(e => e.Key == normalized);
    }

    /// <summary>The text value of the last entry with this key, or null.</summary>
    public string? GetValue(string key) => Get(key)?.Value;

    /// <summary>The bytes of the last binary entry with this key, or null.</summary>
    public byte[]? GetValueBytes(string key) => Get(key)?.ValueBytes;

    /// <summary>Removes every entry with this key; returns how many were removed.</summary>
    public int RemoveAll(string key)
    {
        var normalized = Entry.NormalizeKey(key);
        return _entries?.RemoveAll(e => e.Key == normalized) ?? 0;
    }

    /// <summary>Enumerates the entries in order (a struct enumerator: no allocation in <c>foreach</c>).</summary>
    public List<Entry>.Enumerator GetEnumerator() => (_entries ?? NoEntries).GetEnumerator();

    IEnumerator<Entry> IEnumerable<Entry>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static readonly List<Entry> NoEntries = [];

    /// <summary>One key and its value.</summary>
    public sealed class Entry
    {
        private readonly string? _value;
        private readonly byte[]? _bytes;

        /// <summary>A text entry. The value must be printable ASCII (0x20-0x7E), as HTTP/2 header values require.</summary>
        public Entry(string key, string value)
        {
            Key = NormalizeKey(key);
            if (IsBinaryKey(Key))
            {
                throw new ArgumentException($"Key '{Key}' ends in '-bin' and so needs a byte[] value.", nameof(key));
            }
            ArgumentNullException.ThrowIfNull(value);
            foreach (var c in value)
            {
                if (c < 0x20 || c > 0x7E)
                {
                    throw new ArgumentException($"Metadata value of '{Key}' must be printable ASCII; use a '-bin' key for other data.", nameof(value));
                }
            }
            _value = value;
        }

        /// <summary>A binary entry; the key must end in <c>-bin</c>.</summary>
        public Entry(string key, byte[] value)
        {
            Key = NormalizeKey(key);
            if (!IsBinaryKey(Key))
            {
                throw new ArgumentException($"Key '{Key}' carries bytes and so must end in '-bin'.", nameof(key));
            }
            _bytes = value ?? throw new ArgumentNullException(nameof(value));
        }

        /// <summary>The lower-case key.</summary>
        public string Key { get; }

        /// <summary>True for <c>-bin</c> keys.</summary>
        public bool IsBinary => _bytes is not null;

        /// <summary>The text value; throws for a binary entry.</summary>
        public string Value => _value ?? throw new InvalidOperationException($"Metadata entry '{Key}' is binary; read ValueBytes.");

        /// <summary>The value's bytes (ASCII bytes of a text value).</summary>
        public byte[] ValueBytes => _bytes ?? Encoding.ASCII.GetBytes(_value!);

        /// <inheritdoc />
        public override string ToString() => IsBinary ? $"{Key}: <{_bytes!.Length} bytes>" : $"{Key}: {_value}";

        internal static bool IsBinaryKey(string key) => key.EndsWith(BinarySuffix, StringComparison.Ordinal);

        internal static string NormalizeKey(string key)
        {
            ArgumentException.ThrowIfNullOrEmpty(key);
            var lower = key.ToLowerInvariant();
            foreach (var c in lower)
            {
                // The HTTP/2 header-name characters gRPC allows for custom metadata.
                if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_' or '.'))
                {
                    throw new ArgumentException($"Metadata key '{key}' may hold only a-z, 0-9, '-', '_' and '.'.", nameof(key));
                }
            }
            return lower;
        }
    }
}
