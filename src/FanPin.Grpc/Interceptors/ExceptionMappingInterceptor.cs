using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FanPin.Grpc.Interceptors;

/// <summary>Maps exceptions from inner interceptors and the method to statuses (see <see cref="ExceptionStatusMapper"/>).</summary>
public sealed class ExceptionMappingInterceptor(IOptions<GrpcServerOptions> options, ILogger<ExceptionMappingInterceptor> logger) : IServerInterceptor
{
    private readonly bool _detailedErrors = options.Value.EnableDetailedErrors;

    /// <inheritdoc />
    public async Task InvokeAsync(ServerCallContext context, ServerCallDelegate next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ExceptionStatusMapper.Apply(context, ex, logger, _detailedErrors);
        }
    }
}
