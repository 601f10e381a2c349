using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.Tokens;

namespace FanPin.ServiceDefaults.Authentication;

/// <summary>Token validation settings, from the <c>Auth</c> configuration section.</summary>
public sealed class FanPinAuthOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Auth";

    /// <summary>
    /// The development signing key. Public on purpose: it is accepted only when the environment is
    /// Development and no key is configured; every other environment must configure <c>Auth:SigningKey</c>.
    /// </summary>
    public const string DevelopmentSigningKey = "fanpin-development-signing-key-not-for-production-use-0001";

    /// <summary>Expected issuer.</summary>
    public string Issuer { get; set; } = "fanpin";

    /// <summary>Expected audience.</summary>
    public string Audience { get; set; } = "fanpin";

    /// <summary>HMAC-SHA256 key, at least 32 bytes (plain text or <c>base64:</c>-prefixed).</summary>
    public string? SigningKey { get; set; }

    /// <summary>Reads the section; falls back to the development key only in Development.</summary>
    public static FanPinAuthOptions From(IConfiguration configuration, bool isDevelopment)
    {
        var options = new FanPinAuthOptions();
        configuration.GetSection(Section).Bind(options);
        if (string.IsNullOrWhiteSpace(options.SigningKey))
        {
            if (!isDevelopment)
            {
                throw new InvalidOperationException(
                    "Auth:SigningKey is not configured. Outside Development every service needs the province's signing key " +
                    "(environment variable Auth__SigningKey, at least 32 bytes).");
            }
            options.SigningKey = DevelopmentSigningKey;
        }
        _ = options.CreateSigningKey();
        return options;
    }

    /// <summary>The symmetric key; throws when it is shorter than 32 bytes.</summary>
    public SymmetricSecurityKey CreateSigningKey()
    {
        var text = SigningKey ?? throw new InvalidOperationException("Auth:SigningKey is empty.");
        var bytes = text.StartsWith("base64:", StringComparison.Ordinal) ? Convert.FromBase64String(text[7..]) : Encoding.UTF8.GetBytes(text);
        if (bytes.Length < 32)
        {
            throw new InvalidOperationException($"Auth:SigningKey has {bytes.Length} bytes; HMAC-SHA256 needs at least 32.");
        }
        return new SymmetricSecurityKey(bytes) { KeyId = "fanpin" };
    }

    /// <summary>The validation every service applies: signature, issuer, audience, lifetime (one minute of skew).</summary>
    public TokenValidationParameters CreateValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = CreateSigningKey(),
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.FromMinutes(1),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        NameClaimType = FanPinClaims.Subject,
        RoleClaimType = FanPinClaims.Role,
    };
}
