using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FanPin.Grpc.Interceptors;

/// <summary>Maps exceptions from inner interceptors and the method to statuses (see <see cref="ExceptionStatusMapper"/>).</summary>
public sealed class ExceptionMappingInterceptor(IOptions<GrpcServerOptions> options, ILogger<ExceptionMappingInterceptor> logger) : IServerInterceptor
{
    private readonly bool _detailedErrors = options.Value.EnableDetailedErrors;

    /// <inheritdoc />
    public Task InvokeAsync(ServerCallContext context, ServerCallDelegate next)
    {
        Task task;
        try
        {
            task = next(context);
        }
        catch (Exception ex)
        {
            ExceptionStatusMapper.Apply(context, ex, logger, _detailedErrors);
            return Task.CompletedTask;
        }
        // Most calls complete without an exception: only await (and allocate) when there is something to wait for.
        return task.IsCompletedSuccessfully ? task : AwaitAsync(task, context);
    }

    private async Task AwaitAsync(Task task, ServerCallContext context)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ExceptionStatusMapper.Apply(context, ex, logger, _detailedErrors);
        }
    }
}
