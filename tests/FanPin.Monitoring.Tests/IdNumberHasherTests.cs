using System.Security.Cryptography;
using System.Text;
using FanPin.Monitoring.Infrastructure;
using FanPin.Monitoring.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace FanPin.Monitoring.Tests;

/// <summary>The keyed ID hash must be byte-for-byte the registry's: HMAC-SHA256 of the normalised ID number.</summary>
public class IdNumberHasherTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void The_hash_is_hmac_sha256_of_the_upper_case_ascii_id_number()
    {
        var id = TestData.NewId();
        var expected = HMACSHA256.HashData(Key, Encoding.ASCII.GetBytes(id.Value));
        var hasher = new IdNumberHasher(Key);
        Assert.Equal(expected, hasher.Hash(id));
        using var session = hasher.CreateSession();
        Assert.Equal(expected, session.Hash(id));
        Assert.Equal(expected, session.Hash(id)); // the session resets between hashes
    }

    [Fact]
    public void Lower_case_x_is_normalised_before_hashing()
    {
        var id = Enumerable.Range(0, 999).Select(n => IdNumber.Create("620102", new DateOnly(1985, 5, 5), n)).First(i => i.Value[17] == 'X');
        Assert.True(IdNumber.TryParse(id.Value.ToLowerInvariant(), new DateOnly(2026, 1, 1), out var parsed, out _));
        Assert.Equal(new IdNumberHasher(Key).Hash(id), new IdNumberHasher(Key).Hash(parsed));
    }

    [Fact]
    public void The_key_comes_from_monitorings_setting_or_the_registrys_and_is_required_outside_development()
    {
        IConfiguration Config(params (string, string)[] pairs) =>
            new ConfigurationBuilder().AddInMemoryCollection(pairs.ToDictionary(p => p.Item1, p => (string?)p.Item2)).Build();
        var id = TestData.NewId();
        var expected = new IdNumberHasher(Key).Hash(id);
        Assert.Equal(expected, IdNumberHasher.FromConfiguration(Config((IdNumberHasher.HashKeyKey, Convert.ToBase64String(Key))), false).Hash(id));
        Assert.Equal(expected, IdNumberHasher.FromConfiguration(Config((IdNumberHasher.RegistryHashKeyKey, Convert.ToBase64String(Key))), false).Hash(id));
        Assert.Throws<InvalidOperationException>(() => IdNumberHasher.FromConfiguration(Config(), false));
        Assert.Equal(IdNumberHasher.Development.Hash(id), IdNumberHasher.FromConfiguration(Config(), true).Hash(id));
        Assert.Throws<InvalidOperationException>(() => new IdNumberHasher(new byte[16]));
    }
}

/// <summary>
/// Monitoring's hasher against the registry's own code (src/FanPin.Registry/Infrastructure/IdNumberProtector.cs,
/// compiled into this project): the same ID number and key give the same bytes, as the registry's events carry
/// them (lower-case hex), and the development keys agree.
/// </summary>
public class RegistryHashAgreementTests
{
    [Fact]
    public void Monitoring_hashes_an_id_number_exactly_as_the_registry_does_under_the_same_key()
    {
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var registry = new FanPin.Registry.Infrastructure.IdNumberProtector(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), key);
        var monitoring = IdNumberHasher.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [IdNumberHasher.HashKeyKey] = Convert.ToBase64String(key),
        }).Build(), isDevelopment: false);
        using var session = monitoring.CreateSession();
        for (var i = 0; i < 50; i++)
        {
            var id = TestData.NewId();
            var fromRegistry = registry.Protect(id).Hash;
            Assert.Equal(fromRegistry, monitoring.Hash(id));
            Assert.Equal(fromRegistry, session.Hash(id));
            // The wire form (RegistryMember.IdNumberHash) decodes back to the same bytes.
            Assert.Equal(monitoring.Hash(id), Convert.FromHexString(Convert.ToHexStringLower(fromRegistry)));
        }
    }

    [Fact]
    public void The_development_keys_agree()
    {
        using var settings = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "RegistrySource", "registry.appsettings.Development.json")),
            new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip });
        var ids = settings.RootElement.GetProperty("Registry").GetProperty("IdNumbers");
        var registry = new FanPin.Registry.Infrastructure.IdNumberProtector(
            Convert.FromBase64String(ids.GetProperty("EncryptionKey").GetString()!), Convert.FromBase64String(ids.GetProperty("HashKey").GetString()!));
        var id = TestData.NewId();
        Assert.Equal(registry.Hash(id), IdNumberHasher.Development.Hash(id));
    }
}
