using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace FanPin.Grpc.Interceptors;

/// <summary>Logs how each call ended: OK at Debug, any other status at Information.</summary>
public sealed partial class LoggingInterceptor(ILogger<LoggingInterceptor> logger) : IServerInterceptor
{
    /// <inheritdoc />
    public Task InvokeAsync(ServerCallContext context, ServerCallDelegate next) =>
        logger.IsEnabled(LogLevel.Information) ? InvokeLoggedAsync(context, next) : next(context);

    private async Task InvokeLoggedAsync(ServerCallContext context, ServerCallDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        await next(context).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var status = context.Status;
        if (status.StatusCode == StatusCode.OK)
        {
            LogOk(logger, context.Method, elapsed, context.Caller?.Subject);
        }
        else
        {
            LogFailed(logger, context.Method, status.StatusCode, status.Detail, elapsed, context.Caller?.Subject);
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "gRPC {Method} OK in {ElapsedMs:0.0} ms (caller {Caller})")]
    private static partial void LogOk(ILogger logger, string method, double elapsedMs, string? caller);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "gRPC {Method} ended {StatusCode}: {Detail} in {ElapsedMs:0.0} ms (caller {Caller})")]
    private static partial void LogFailed(ILogger logger, string method, StatusCode statusCode, string detail, double elapsedMs, string? caller);
}
