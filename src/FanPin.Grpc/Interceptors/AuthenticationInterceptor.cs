using FanPin.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace FanPin.Grpc.Interceptors;

/// <summary>
/// Authenticates the bearer token of every call (ServiceDefaults' <c>AuthenticateCallerAsync</c>) and puts
/// the <see cref="FanPin.ServiceDefaults.Authentication.Caller"/> on the context. A call without a valid
/// token ends with UNAUTHENTICATED and the reason. Methods or services marked <c>[AllowAnonymous]</c> (the
/// health service) run without a token; one that carries a valid token still gets its caller.
/// </summary>
public sealed class AuthenticationInterceptor(IOptions<GrpcServerOptions> options) : IServerInterceptor
{
    private readonly bool _required = options.Value.RequireAuthentication;

    /// <inheritdoc />
    public Task InvokeAsync(ServerCallContext context, ServerCallDelegate next)
    {
        var http = context.GetHttpContext();
        if (_required && !AllowsAnonymous(http))
        {
            return AuthenticateAsync(context, http, required: true, next);
        }
        return http.Request.Headers.ContainsKey(HeaderNames.Authorization) ? AuthenticateAsync(context, http, required: false, next) : next(context);
    }

    private static async Task AuthenticateAsync(ServerCallContext context, HttpContext http, bool required, ServerCallDelegate next)
    {
        var (caller, error) = await http.AuthenticateCallerAsync().ConfigureAwait(false);
        if (caller is null && required)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, error ?? "unauthenticated"));
        }
        context.Caller = caller;
        await next(context).ConfigureAwait(false);
    }

    private static bool AllowsAnonymous(HttpContext http) => http.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null;
}
