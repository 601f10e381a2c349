using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FanPin.Grpc.Diagnostics;

/// <summary>
/// The <c>FanPin.Grpc</c> meter (exported by ServiceDefaults' OpenTelemetry setup, which listens to
/// <c>FanPin.*</c>). Tags follow OpenTelemetry's RPC conventions.
/// </summary>
public static class GrpcMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "FanPin.Grpc";

    private static readonly Meter Meter = new(MeterName, "1.0.0");

    private static readonly InstrumentAdvice<double> DurationAdvice = new()
    {
        HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    };

    private static readonly Counter<long> ServerCalls = Meter.CreateCounter<long>("fanpin.grpc.server.calls", "{call}", "Server calls ended, by method and status code.");
    private static readonly Histogram<double> ServerDuration = Meter.CreateHistogram("fanpin.grpc.server.call.duration", "s", "Server call duration.", advice: DurationAdvice);
    private static readonly UpDownCounter<long> ServerActive = Meter.CreateUpDownCounter<long>("fanpin.grpc.server.active_calls", "{call}", "Server calls in progress.");
    private static readonly Counter<long> ClientCalls = Meter.CreateCounter<long>("fanpin.grpc.client.calls", "{call}", "Client calls ended, by method and status code.");
    private static readonly Histogram<double> ClientDuration = Meter.CreateHistogram("fanpin.grpc.client.call.duration", "s", "Client call duration, retries included.", advice: DurationAdvice);
    private static readonly Counter<long> ClientRetries = Meter.CreateCounter<long>("fanpin.grpc.client.retries", "{attempt}", "Client attempts retried after UNAVAILABLE.");

    /// <summary>True while something listens to a server instrument (otherwise measuring is skipped).</summary>
    internal static bool ServerEnabled => ServerCalls.Enabled || ServerDuration.Enabled || ServerActive.Enabled;

    internal static void ServerCallStarted(string method)
    {
        if (ServerActive.Enabled)
        {
            ServerActive.Add(1, new KeyValuePair<string, object?>("rpc.method", method));
        }
    }

    internal static void ServerCallEnded(string method, StatusCode code, TimeSpan elapsed)
    {
        if (ServerActive.Enabled)
        {
            ServerActive.Add(-1, new KeyValuePair<string, object?>("rpc.method", method));
        }
        if (ServerCalls.Enabled || ServerDuration.Enabled)
        {
            var tags = new TagList { { "rpc.system", "grpc" }, { "rpc.method", method }, { "rpc.grpc.status_code", (int)code } };
            ServerCalls.Add(1, tags);
            ServerDuration.Record(elapsed.TotalSeconds, tags);
        }
    }

    internal static void ClientCallEnded(string method, StatusCode code, TimeSpan elapsed)
    {
        if (ClientCalls.Enabled || ClientDuration.Enabled)
        {
            var tags = new TagList { { "rpc.system", "grpc" }, { "rpc.method", method }, { "rpc.grpc.status_code", (int)code } };
            ClientCalls.Add(1, tags);
            ClientDuration.Record(elapsed.TotalSeconds, tags);
        }
    }

    internal static void ClientRetried(string method)
    {
        if (ClientRetries.Enabled)
        {
            ClientRetries.Add(1, new KeyValuePair<string, object?>("rpc.method", method));
        }
    }
}
