using System.Security.Cryptography;
using FanPin.Notification.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace FanPin.Notification.Tests;

/// <summary>Webhook secrets and SMS credentials are stored encrypted (AES-256-GCM), never in clear.</summary>
public class SecretProtectorTests
{
    private static readonly SecretProtector Protector = new(RandomNumberGenerator.GetBytes(32));

    [Theory]
    [InlineData("Bearer gw-token")]
    [InlineData("c2VjcmV0LXdpdGgtdW5pY29kZS3pmLI=")]
    [InlineData("令牌")]
    public void A_secret_round_trips_and_is_not_stored_in_clear(string plain)
    {
        var stored = Protector.Protect(plain);
        Assert.StartsWith("v1:", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(plain, stored, StringComparison.Ordinal);
        Assert.NotEqual(stored, Protector.Protect(plain)); // a fresh nonce every time
        Assert.Equal(plain, Protector.Unprotect(stored));
    }

    [Fact]
    public void A_tampered_value_or_another_key_is_refused_and_a_legacy_clear_value_is_read_as_it_is()
    {
        var stored = Protector.Protect("Bearer gw-token");
        var bytes = Convert.FromBase64String(stored[3..]);
        bytes[20] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => Protector.Unprotect("v1:" + Convert.ToBase64String(bytes)));
        Assert.ThrowsAny<CryptographicException>(() => new SecretProtector(RandomNumberGenerator.GetBytes(32)).Unprotect(stored));
        Assert.Equal("", Protector.Protect(""));
        Assert.Equal("written before encryption", Protector.Unprotect("written before encryption"));
    }

    [Fact]
    public void Outside_Development_the_key_must_be_configured_and_valid()
    {
        static IConfiguration With(string? key) => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [SecretProtector.KeyKey] = key }).Build();
        var missing = Assert.Throws<InvalidOperationException>(() => SecretProtector.FromConfiguration(With(null), isDevelopment: false));
        Assert.Contains("Notification__Secrets__EncryptionKey", missing.Message, StringComparison.Ordinal);
        Assert.Contains("not base64", Assert.Throws<InvalidOperationException>(() => SecretProtector.FromConfiguration(With("%%%"), false)).Message, StringComparison.Ordinal);
        Assert.Contains("32 bytes", Assert.Throws<InvalidOperationException>(() => SecretProtector.FromConfiguration(With(Convert.ToBase64String(new byte[16])), false)).Message, StringComparison.Ordinal);
        var development = SecretProtector.FromConfiguration(With(null), isDevelopment: true);
        Assert.Equal("x", new SecretProtector(Convert.FromBase64String(SecretProtector.DevelopmentKey)).Unprotect(development.Protect("x")));
    }
}
