namespace FanPin.Grpc.Server;

/// <summary>The proto services this process serves (for UNIMPLEMENTED messages and the health service).</summary>
public sealed class GrpcServiceRegistry
{
    private readonly HashSet<string> _services = new(StringComparer.Ordinal);

    /// <summary>Full names of the mapped services.</summary>
    public IReadOnlyCollection<string> Services
    {
        get
        {
            lock (_services)
            {
                return _services.ToArray();
            }
        }
    }

    /// <summary>True when <paramref name="serviceName"/> is mapped.</summary>
    public bool Contains(string serviceName)
    {
        lock (_services)
        {
            return _services.Contains(serviceName);
        }
    }

    private bool _unimplementedMapped;

    internal bool TryMarkUnimplementedMapped()
    {
        lock (_services)
        {
            var first = !_unimplementedMapped;
            _unimplementedMapped = true;
            return first;
        }
    }

    internal bool Add(string serviceName)
    {
        lock (_services)
        {
            return _services.Add(serviceName);
        }
    }
}
