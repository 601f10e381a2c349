using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;

namespace FanPin.Monitoring.Infrastructure;

/// <summary>
/// The keyed hash feeds are matched on: HMAC-SHA256 of the normalised 18-character ID number (upper-case check
/// character, ASCII) under the key the registry uses for its <c>id_number_hash</c>. The plain ID number is
/// never stored by monitoring; only this hash is.
/// </summary>
public sealed class IdNumberHasher
{
    /// <summary>Configuration key of the shared HMAC key (<c>Monitoring__IdNumbers__HashKey</c>), base64 of at least 32 bytes.</summary>
    public const string HashKeyKey = "Monitoring:IdNumbers:HashKey";

    /// <summary>The registry's key name, read when monitoring's own is not set (one secret for both services).</summary>
    public const string RegistryHashKeyKey = "Registry:IdNumbers:HashKey";

    /// <summary>Hash size in bytes.</summary>
    public const int HashSize = 32;

    private readonly byte[] _key;

    /// <summary>A hasher with <paramref name="key"/> (≥ 32 bytes).</summary>
    public IdNumberHasher(byte[] key)
    {
        if (key.Length < 32)
        {
            throw new InvalidOperationException($"The ID hash key must be at least 32 bytes, not {key.Length}.");
        }
        _key = key.ToArray();
    }

    /// <summary>
    /// Reads the key. Without one, Development uses the registry's development key (so both match locally);
    /// every other environment refuses to start, because hashes under another key match nobody.
    /// </summary>
    public static IdNumberHasher FromConfiguration(IConfiguration configuration, bool isDevelopment)
    {
        var text = configuration[HashKeyKey];
        if (string.IsNullOrWhiteSpace(text))
        {
            text = configuration[RegistryHashKeyKey];
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            if (!isDevelopment)
            {
                throw new InvalidOperationException(
                    $"{HashKeyKey} must be configured (environment variable Monitoring__IdNumbers__HashKey): base64 of the same 32+ bytes as the registry's Registry__IdNumbers__HashKey.");
            }
            return Development;
        }
        try
        {
            return new IdNumberHasher(Convert.FromBase64String(text));
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{HashKeyKey} is not base64.");
        }
    }

    /// <summary>The development key (identical to the registry's development key).</summary>
    public static IdNumberHasher Development { get; } = new(SHA256.HashData("fanpin-development-id-hash"u8));

    /// <summary>
    /// A hasher for one sequential job (a feed import): keeps the keyed HMAC state, so a million rows are not
    /// each re-keyed. Not thread-safe; one per import.
    /// </summary>
    public Session CreateSession() => new(IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key));

    /// <summary>A reusable keyed HMAC for one thread.</summary>
    public sealed class Session(IncrementalHash hmac) : IDisposable
    {
        /// <summary>The hash of a validated ID number (the same bytes as <see cref="IdNumberHasher.Hash"/>).</summary>
        public byte[] Hash(IdNumber id)
        {
            Span<byte> ascii = stackalloc byte[18];
            for (var i = 0; i < 18; i++)
            {
                ascii[i] = (byte)id.Value[i];
            }
            hmac.AppendData(ascii);
            return hmac.GetHashAndReset();
        }

        /// <inheritdoc />
        public void Dispose() => hmac.Dispose();
    }

    /// <summary>The hash of a validated ID number.</summary>
    public byte[] Hash(IdNumber id)
    {
        Span<byte> ascii = stackalloc byte[18];
        for (var i = 0; i < 18; i++)
        {
            ascii[i] = (byte)id.Value[i];
        }
        return HMACSHA256.HashData(_key, ascii);
    }
}
