using FanPin.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace FanPin.Grpc.Interceptors;

/// <summary>
/// Authenticates the bearer token of every call (ServiceDefaults' JWT validation) and puts the
/// <see cref="FanPin.ServiceDefaults.Authentication.Caller"/> on the context. A call without a valid token
/// ends with UNAUTHENTICATED and the reason. Methods or services marked <c>[AllowAnonymous]</c> (the
/// health service) run without a token; one that carries a valid token still gets its caller.
/// </summary>
public sealed class AuthenticationInterceptor(IOptions<GrpcServerOptions> options) : IServerInterceptor
{
    private readonly bool _required = options.Value.RequireAuthentication;

    /// <inheritdoc />
    public async Task InvokeAsync(ServerCallContext context, ServerCallDelegate next)
    {
        var http = context.GetHttpContext();
        if (_required && !AllowsAnonymous(http))
        {
            var (caller, error) = await http.AuthenticateCallerAsync().ConfigureAwait(false);
            context.Caller = caller ?? throw new RpcException(new Status(StatusCode.Unauthenticated, error ?? "unauthenticated"));
        }
        else if (http.Request.Headers.ContainsKey(HeaderNames.Authorization))
        {
            context.Caller = (await http.AuthenticateCallerAsync().ConfigureAwait(false)).Caller;
        }
        await next(context).ConfigureAwait(false);
    }

    private static bool AllowsAnonymous(HttpContext http) => http.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null;
}
