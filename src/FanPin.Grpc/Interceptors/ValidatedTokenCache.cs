using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.Net.Http.Headers;

namespace FanPin.Grpc.Interceptors;

/// <summary>
/// Remembers bearer tokens that passed JWT validation, by their exact text, until they expire and at most
/// for <see cref="Lifetime"/>. A caller sends the same token with every call, and validating it (signature,
/// claims, a fresh TokenValidationParameters) costs about as much as the rest of a small call; a
/// remembered token skips it. Nothing is given up: a JWT cannot be revoked before it expires anyway, and
/// the signing key changes only with a restart. Wired into the JwtBearer handler's events, so ASP.NET
/// Core's authentication middleware and the gRPC authentication interceptor both benefit.
/// </summary>
public sealed class ValidatedTokenCache(TimeProvider? clock = null)
{
    /// <summary>How long a validated token is remembered at most.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private const int MaxTokens = 10_000;
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, Entry> _tokens = new(StringComparer.Ordinal);

    /// <summary>A copy of the principal of a remembered, unexpired token.</summary>
    public bool TryGet(string token, out ClaimsPrincipal principal)
    {
        if (_tokens.TryGetValue(token, out var entry) && entry.Until > _clock.GetUtcNow())
        {
            // A copy: code may add claims to the request's principal, which must not leak to other calls.
            principal = entry.Principal.Clone();
            return true;
        }
        principal = null!;
        return false;
    }

    /// <summary>Remembers a token that has just been validated.</summary>
    public void Remember(string token, ClaimsPrincipal principal, DateTimeOffset expires)
    {
        var latest = _clock.GetUtcNow() + Lifetime;
        if (_tokens.Count >= MaxTokens)
        {
            // Bounded the simple way: many distinct live tokens only cost a validation each.
            _tokens.Clear();
        }
        _tokens[token] = new Entry(principal.Clone(), expires < latest ? expires : latest);
    }

    /// <summary>Hooks the cache into the JwtBearer scheme's events (keeping any handlers already set).</summary>
    internal static void AddTo(IServiceCollection services)
    {
        services.TryAddSingleton<ValidatedTokenCache>();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<ValidatedTokenCache>((options, cache) =>
        {
            var events = options.Events ?? new JwtBearerEvents();
            var messageReceived = events.OnMessageReceived;
            var tokenValidated = events.OnTokenValidated;
            events.OnMessageReceived = async context =>
            {
                await messageReceived(context).ConfigureAwait(false);
                if (context.Result is null && (context.Token ?? BearerToken(context.Request.Headers[HeaderNames.Authorization].ToString())) is { } token
                    && cache.TryGet(token, out var principal))
                {
                    context.Principal = principal;
                    context.Success();
                }
            };
            events.OnTokenValidated = async context =>
            {
                await tokenValidated(context).ConfigureAwait(false);
                if (context.Result is null && context.Principal is { } principal && context.SecurityToken is JsonWebToken jwt)
                {
                    cache.Remember(jwt.EncodedToken, principal, new DateTimeOffset(DateTime.SpecifyKind(jwt.ValidTo, DateTimeKind.Utc)));
                }
            };
            options.Events = events;
        });
    }

    private static string? BearerToken(string authorization) =>
        authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7 ? authorization[7..].Trim() : null;

    private sealed record Entry(ClaimsPrincipal Principal, DateTimeOffset Until);
}
