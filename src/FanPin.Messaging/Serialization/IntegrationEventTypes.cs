using System.Collections.Concurrent;
using System.Reflection;
using FanPin.IntegrationEvents;

namespace FanPin.Messaging.Serialization;

/// <summary>
/// The event types the relay may find in an outbox row, by their stored name (the CLR full name). Built from
/// the contracts assembly, plus any assemblies a service adds; an unknown name is an error the relay reports
/// and retries (a newer replica may have written it during a rolling deploy).
/// </summary>
public sealed class IntegrationEventTypes
{
    private static readonly ConcurrentDictionary<Type, PublicEventAttribute?> PublicInfo = new();
    private readonly Dictionary<string, Type> _byName;

    /// <summary>Every concrete event record in the given assemblies.</summary>
    public IntegrationEventTypes(IEnumerable<Assembly> assemblies)
    {
        _byName = assemblies
            .Distinct()
            .SelectMany(a => a.GetTypes())
            .Where(t => t is { IsAbstract: false, IsClass: true } && t.IsSubclassOf(typeof(IntegrationEvent)))
            .ToDictionary(NameOf, t => t, StringComparer.Ordinal);
    }

    /// <summary>The contracts assembly's events.</summary>
    public static IntegrationEventTypes Default { get; } = new([typeof(IntegrationEvent).Assembly]);

    /// <summary>All known event types.</summary>
    public IEnumerable<Type> All => _byName.Values;

    /// <summary>The stored name of an event type.</summary>
    public static string NameOf(Type type) => type.FullName ?? type.Name;

    /// <summary>The public-stream description of a type, or null when the event stays internal.</summary>
    public static PublicEventAttribute? PublicEventOf(Type type) =>
        PublicInfo.GetOrAdd(type, t => t.GetCustomAttribute<PublicEventAttribute>(inherit: false));

    /// <summary>The type stored under <paramref name="name"/>.</summary>
    public Type Resolve(string name) =>
        _byName.TryGetValue(name, out var type)
            ? type
            : throw new InvalidOperationException($"Unknown integration event type '{name}'. Is the contracts assembly of this service up to date?");
}
