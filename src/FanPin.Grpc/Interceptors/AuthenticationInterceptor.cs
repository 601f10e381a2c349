using System.Collections.Concurrent;
using System.Globalization;
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
/// <remarks>
/// A token that validated once is remembered (by its exact text) until it expires, at most for
/// <see cref="CacheLifetime"/>: a caller sends the same token with every call, and checking its signature
/// each time would cost more than the rest of a small call. Nothing is lost by it: a JWT cannot be revoked
/// before it expires anyway, and the signing key changes only with a restart.
/// </remarks>
public sealed class AuthenticationInterceptor(IOptions<GrpcServerOptions> options, TimeProvider? clock = null) : IServerInterceptor
{
    /// <summary>How long a validated token is remembered at most.</summary>
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(5);

    private const int MaxCachedTokens = 10_000;
    private readonly bool _required = options.Value.RequireAuthentication;
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, Validated> _validated = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task InvokeAsync(ServerCallContext context, ServerCallDelegate next)
    {
        var http = context.GetHttpContext();
        var authorization = http.Request.Headers[HeaderNames.Authorization].ToString();
        if (authorization.Length > 0 && _validated.TryGetValue(authorization, out var known) && known.Until > _clock.GetUtcNow())
        {
            http.User = known.Principal;
            context.Caller = known.Caller;
            return next(context);
        }
        if (_required && !AllowsAnonymous(http))
        {
            return AuthenticateAsync(context, http, authorization, required: true, next);
        }
        return authorization.Length > 0 ? AuthenticateAsync(context, http, authorization, required: false, next) : next(context);
    }

    private async Task AuthenticateAsync(ServerCallContext context, HttpContext http, string authorization, bool required, ServerCallDelegate next)
    {
        var (caller, error) = await http.AuthenticateCallerAsync().ConfigureAwait(false);
        if (caller is null && required)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, error ?? "unauthenticated"));
        }
        context.Caller = caller;
        if (caller is not null)
        {
            Remember(authorization, caller, http);
        }
        await next(context).ConfigureAwait(false);
    }

    private void Remember(string authorization, Caller caller, HttpContext http)
    {
        var now = _clock.GetUtcNow();
        var until = now + CacheLifetime;
        if (long.TryParse(http.User.FindFirst("exp")?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var exp))
        {
            var expires = DateTimeOffset.FromUnixTimeSeconds(exp);
            until = expires < until ? expires : until;
        }
        if (_validated.Count >= MaxCachedTokens)
        {
            // Crude but bounded: many distinct live tokens only cost a re-validation each.
            _validated.Clear();
        }
        _validated[authorization] = new Validated(caller, http.User, until);
    }

    private static bool AllowsAnonymous(HttpContext http) => http.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null;

    private sealed record Validated(Caller Caller, System.Security.Claims.ClaimsPrincipal Principal, DateTimeOffset Until);
}
