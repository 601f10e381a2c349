using System.Collections;

namespace FanPin.Policies;

/// <summary>
/// An immutable list that compares by its items, so that policy records compare by value all the way down
/// (a published version is equal to its re-loaded copy, or it was changed).
/// </summary>
public sealed class EquatableList<T> : IReadOnlyList<T>, IEquatable<EquatableList<T>>
{
    private readonly T[] _items;

    /// <summary>Copies the items.</summary>
    public EquatableList(IEnumerable<T> items) => _items = items.ToArray();

    /// <summary>The empty list.</summary>
    public static EquatableList<T> Empty { get; } = new([]);

    /// <inheritdoc />
    public T this[int index] => _items[index];

    /// <inheritdoc />
    public int Count => _items.Length;

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    /// <inheritdoc />
    public bool Equals(EquatableList<T>? other) => other is not null && _items.AsSpan().SequenceEqual(other._items);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as EquatableList<T>);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in _items)
        {
            hash.Add(item);
        }
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => "[" + string.Join(", ", _items) + "]";
}

/// <summary>Builds <see cref="EquatableList{T}"/>s.</summary>
public static class EquatableList
{
    /// <summary>A list of the given items.</summary>
    public static EquatableList<T> Of<T>(params T[] items) => new(items);

    /// <summary>A list of the given items.</summary>
    public static EquatableList<T> ToEquatableList<T>(this IEnumerable<T> items) => new(items);
}
