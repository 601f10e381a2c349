using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FanPin.ServiceDefaults.Authentication;

/// <summary>Mints FanPin tokens (development tokens from the CLI, the AppHost's printed token, tests).</summary>
public sealed class TokenIssuer(FanPinAuthOptions options, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>A signed token for a caller, valid for <paramref name="lifetime"/>.</summary>
    public string Issue(Caller caller, TimeSpan lifetime)
    {
        var claims = new Dictionary<string, object>
        {
            [FanPinClaims.Subject] = caller.Subject,
            [FanPinClaims.Role] = caller.Role.ToString().ToLowerInvariant(),
            [FanPinClaims.Region] = caller.Scope.Value,
        };
        if (caller.Department is { } department)
        {
            claims[FanPinClaims.Department] = department;
        }
        if (caller.Name is { } name)
        {
            claims[FanPinClaims.Name] = name;
        }
        var now = _clock.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(options.CreateSigningKey(), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>Validates a token the way the services do and reads the caller from it.</summary>
    public async Task<(Caller? Caller, string? Error)> ValidateAsync(string token)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, options.CreateValidationParameters()).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return (null, result.Exception?.Message ?? "invalid token");
        }
        return Caller.TryFrom(new ClaimsPrincipal(result.ClaimsIdentity), out var caller, out var error) ? (caller, null) : (null, error);
    }
}
