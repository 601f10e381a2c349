using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FanPin.ServiceDefaults.Authentication;

/// <summary>JWT bearer validation and the caller lookup every RPC uses.</summary>
public static class AuthenticationExtensions
{
    /// <summary>Registers JWT bearer validation with the <c>Auth</c> section (development key only in Development).</summary>
    public static IHostApplicationBuilder AddFanPinAuthentication(this IHostApplicationBuilder builder)
    {
        var options = FanPinAuthOptions.From(builder.Configuration, builder.Environment.IsDevelopment());
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(sp => new TokenIssuer(options, sp.GetService<TimeProvider>()));
        builder.Services
            .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = options.CreateValidationParameters();
            });
        builder.Services.AddAuthorization();
        return builder;
    }

    /// <summary>
    /// Authenticates the request's bearer token and reads the caller. Returns an error text for a missing,
    /// invalid, expired or incomplete token (the transport answers UNAUTHENTICATED with it).
    /// </summary>
    public static async Task<(Caller? Caller, string? Error)> AuthenticateCallerAsync(this HttpContext context)
    {
        var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme).ConfigureAwait(false);
        if (result.None)
        {
            return (null, "no bearer token (authorization: Bearer <token>)");
        }
        if (!result.Succeeded)
        {
            return (null, $"invalid token: {result.Failure?.Message}");
        }
        context.User = result.Principal;
        return Caller.TryFrom(result.Principal, out var caller, out var error) ? (caller, null) : (null, error);
    }
}
