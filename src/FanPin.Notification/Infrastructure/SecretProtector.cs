using System.Security.Cryptography;
using System.Text;

namespace FanPin.Notification.Infrastructure;

/// <summary>
/// Encrypts the secrets notification must keep to do its work (webhook signing secrets, SMS gateway credentials)
/// with AES-256-GCM before they reach the database: a copy of the database or a backup does not give away a
/// province's gateway account or let anyone forge webhook signatures. Stored form: <c>v1:</c> + base64(nonce |
/// ciphertext | tag). A value without the prefix (written before encryption existed) is read as it is and
/// encrypted on its next write.
/// </summary>
public sealed class SecretProtector
{
    /// <summary>Configuration key of the key (<c>Notification__Secrets__EncryptionKey</c>): base64 of 32 random bytes.</summary>
    public const string KeyKey = "Notification:Secrets:EncryptionKey";

    /// <summary>The published development-only key (used in Development when none is configured). Protects nothing.</summary>
    public const string DevelopmentKey = "ZmFucGluLWRldmVsb3BtZW50LW5vdGlmaWNhdGlvbiE=";

    private const string Prefix = "v1:";
    private readonly byte[] _key;

    /// <summary>A protector with <paramref name="key"/> (32 bytes).</summary>
    public SecretProtector(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key.Length == 32 ? key : throw new InvalidOperationException($"{KeyKey} must be 32 bytes (base64 of 32 random bytes), not {key.Length}.");
    }

    /// <summary>Reads the key from configuration; outside Development it must be configured.</summary>
    public static SecretProtector FromConfiguration(IConfiguration configuration, bool isDevelopment)
    {
        var text = configuration[KeyKey];
        if (string.IsNullOrWhiteSpace(text))
        {
            text = isDevelopment ? DevelopmentKey : throw new InvalidOperationException(
                $"{KeyKey} must be configured (base64 of 32 random bytes; environment variable Notification__Secrets__EncryptionKey): it encrypts webhook secrets and SMS gateway credentials at rest.");
        }
        try
        {
            return new SecretProtector(Convert.FromBase64String(text));
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{KeyKey} is not base64.");
        }
    }

    /// <summary>The stored form of <paramref name="plain"/> (empty stays empty).</summary>
    public string Protect(string plain)
    {
        if (plain.Length == 0)
        {
            return "";
        }
        var data = Encoding.UTF8.GetBytes(plain);
        var output = new byte[12 + data.Length + 16];
        var nonce = output.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, 16);
        aes.Encrypt(nonce, data, output.AsSpan(12, data.Length), output.AsSpan(12 + data.Length, 16));
        return Prefix + Convert.ToBase64String(output);
    }

    /// <summary>The plain value of a stored one.</summary>
    public string Unprotect(string stored)
    {
        if (!stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return stored;
        }
        var input = Convert.FromBase64String(stored[Prefix.Length..]);
        if (input.Length < 28)
        {
            throw new CryptographicException("stored secret is too short");
        }
        var data = new byte[input.Length - 28];
        using var aes = new AesGcm(_key, 16);
        aes.Decrypt(input.AsSpan(0, 12), input.AsSpan(12, data.Length), input.AsSpan(12 + data.Length, 16), data);
        return Encoding.UTF8.GetString(data);
    }
}
