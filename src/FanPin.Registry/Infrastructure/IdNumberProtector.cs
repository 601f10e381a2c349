using System.Security.Cryptography;
using System.Text;
using FanPin.Registry.Domain;
using Microsoft.Extensions.Configuration;

namespace FanPin.Registry.Infrastructure;

/// <summary>Keys protecting ID numbers, from the <c>Registry:IdNumbers</c> configuration section.</summary>
public sealed class IdNumberKeys
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Registry:IdNumbers";

    /// <summary>AES-256-GCM key, base64 of 32 bytes (<c>Registry__IdNumbers__EncryptionKey</c>).</summary>
    public string? EncryptionKey { get; set; }

    /// <summary>HMAC-SHA256 key for lookup and uniqueness, base64 of at least 32 bytes (<c>Registry__IdNumbers__HashKey</c>).</summary>
    public string? HashKey { get; set; }

    /// <summary>
    /// Reads the section. The keys always come from configuration: appsettings.Development.json carries
    /// published development-only keys; every other environment must configure its own (from a secret store),
    /// because data written with a lost key is unreadable and a published key protects nothing.
    /// </summary>
    public static IdNumberProtector CreateProtector(IConfiguration configuration, bool isDevelopment)
    {
        var keys = new IdNumberKeys();
        configuration.GetSection(Section).Bind(keys);
        if (string.IsNullOrWhiteSpace(keys.EncryptionKey) || string.IsNullOrWhiteSpace(keys.HashKey))
        {
            throw new InvalidOperationException(
                "Registry:IdNumbers:EncryptionKey and Registry:IdNumbers:HashKey must be configured (base64 of 32 random bytes each; " +
                "environment variables Registry__IdNumbers__EncryptionKey and Registry__IdNumbers__HashKey)" +
                (isDevelopment ? ". In Development they come from appsettings.Development.json: is it next to the service?" : "."));
        }
        return new IdNumberProtector(Decode(keys.EncryptionKey, "EncryptionKey"), Decode(keys.HashKey, "HashKey"));
    }

    private static byte[] Decode(string text, string name)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"Registry:IdNumbers:{name} is not base64.");
        }
    }
}

/// <summary>
/// Protects ID numbers: AES-256-GCM for storage (a fresh nonce per value), HMAC-SHA256 for lookup and
/// uniqueness (equal numbers, equal hashes, without the number), and the masked form for answers.
/// </summary>
public sealed class IdNumberProtector
{
    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] AssociatedData = "fanpin.registry.id_number.v1"u8.ToArray();

    private readonly byte[] _hashKey;
    private readonly ThreadLocal<AesGcm> _aes;

    /// <summary>Creates a protector with a 32-byte encryption key and a hash key of at least 32 bytes.</summary>
    public IdNumberProtector(byte[] encryptionKey, byte[] hashKey)
    {
        if (encryptionKey.Length != 32)
        {
            throw new InvalidOperationException($"The ID encryption key must be 32 bytes, not {encryptionKey.Length}.");
        }
        if (hashKey.Length < 32)
        {
            throw new InvalidOperationException($"The ID hash key must be at least 32 bytes, not {hashKey.Length}.");
        }
        var key = encryptionKey.ToArray();
        _hashKey = hashKey.ToArray();
        _aes = new ThreadLocal<AesGcm>(() => new AesGcm(key, TagSize));
    }

    /// <summary>Ciphertext, hash, masked form, birth date and sex of a validated ID number.</summary>
    public ProtectedIdNumber Protect(IdNumber id) => new(Encrypt(id.Value), Hash(id), id.Masked, id.BirthDate, id.Sex);

    /// <summary>The keyed hash of an ID number.</summary>
    public byte[] Hash(IdNumber id) => HMACSHA256.HashData(_hashKey, Encoding.ASCII.GetBytes(id.Value));

    /// <summary>The ID number back from its ciphertext (only for callers allowed to see it).</summary>
    public string Reveal(byte[] cipher)
    {
        if (cipher.Length < 1 + NonceSize + TagSize || cipher[0] != FormatVersion)
        {
            throw new CryptographicException("Unknown ID number ciphertext format.");
        }
        var nonce = cipher.AsSpan(1, NonceSize);
        var tag = cipher.AsSpan(cipher.Length - TagSize);
        var body = cipher.AsSpan(1 + NonceSize, cipher.Length - 1 - NonceSize - TagSize);
        var plain = new byte[body.Length];
        _aes.Value!.Decrypt(nonce, body, tag, plain, AssociatedData);
        return Encoding.ASCII.GetString(plain);
    }

    private byte[] Encrypt(string value)
    {
        var plain = Encoding.ASCII.GetBytes(value);
        var result = new byte[1 + NonceSize + plain.Length + TagSize];
        result[0] = FormatVersion;
        var nonce = result.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        _aes.Value!.Encrypt(nonce, plain, result.AsSpan(1 + NonceSize, plain.Length), result.AsSpan(result.Length - TagSize), AssociatedData);
        return result;
    }
}
