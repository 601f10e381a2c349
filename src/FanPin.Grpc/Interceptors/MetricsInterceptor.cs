using System.Diagnostics;
using FanPin.Grpc.Diagnostics;

namespace FanPin.Grpc.Interceptors;

/// <summary>Counts calls and measures their duration on the <c>FanPin.Grpc</c> meter, by method and status.</summary>
public sealed class MetricsInterceptor : IServerInterceptor
{
    /// <inheritdoc />
    public Task InvokeAsync(ServerCallContext context, ServerCallDelegate next) =>
        GrpcMetrics.ServerEnabled ? InvokeMeasuredAsync(context, next) : next(context);

    private static async Task InvokeMeasuredAsync(ServerCallContext context, ServerCallDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        GrpcMetrics.ServerCallStarted(context.Method);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            GrpcMetrics.ServerCallEnded(context.Method, context.Status.StatusCode, Stopwatch.GetElapsedTime(started));
        }
    }
}
