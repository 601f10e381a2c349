using System.Text;
using FanPin.ServiceDefaults.Authentication;

namespace FanPinAspire.ServiceDefaults.Tests;

public class TokenTests
{
    private static readonly FanPinAuthOptions Options = new() { SigningKey = FanPinAuthOptions.DevelopmentSigningKey };

    private static Caller County(string region = "620102") => new("cadre-1", CallerRole.County, FanPin.RegionPrefix.Parse(region), null);

    [Fact]
    public async Task A_county_token_passes_the_scope_check_for_its_villages_only()
    {
        var issuer = new TokenIssuer(Options);
        var (caller, error) = await issuer.ValidateAsync(issuer.Issue(County(), TimeSpan.FromHours(1)));
        Assert.Null(error);
        Assert.NotNull(caller);
        Assert.Equal(CallerRole.County, caller.Role);
        Assert.True(RegionScope.Allows(caller, FanPin.RegionCode.Parse("620102001001")));
        Assert.False(RegionScope.Allows(caller, FanPin.RegionCode.Parse("620103001001")));
        RegionScope.Demand(caller, FanPin.RegionCode.Parse("620102001001"));
        var denied = Assert.Throws<AccessDeniedException>(() => RegionScope.Demand(caller, FanPin.RegionCode.Parse("620103001001")));
        Assert.Contains("620103001001", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_token_is_rejected()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow.AddHours(-3));
        var token = new TokenIssuer(Options, clock).Issue(County(), TimeSpan.FromHours(1));
        var (caller, error) = await new TokenIssuer(Options).ValidateAsync(token);
        Assert.Null(caller);
        Assert.Contains("expired", error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_unsigned_token_is_rejected()
    {
        var signed = new TokenIssuer(Options).Issue(County(), TimeSpan.FromHours(1));
        var payload = signed.Split('.')[1];
        var header = Base64Url("""{"alg":"none","typ":"JWT"}""");
        var (caller, error) = await new TokenIssuer(Options).ValidateAsync($"{header}.{payload}.");
        Assert.Null(caller);
        Assert.NotNull(error);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_rejected()
    {
        var other = new FanPinAuthOptions { SigningKey = "another-key-of-at-least-thirty-two-bytes!!" };
        var token = new TokenIssuer(other).Issue(County(), TimeSpan.FromHours(1));
        var (caller, error) = await new TokenIssuer(Options).ValidateAsync(token);
        Assert.Null(caller);
        Assert.Contains("signature", error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(CallerRole.County, "62", null, "needs a county region")]
    [InlineData(CallerRole.Village, "620102001", null, "needs a village region")]
    [InlineData(CallerRole.Department, "620102", null, "dept claim")]
    public async Task Tokens_whose_scope_does_not_fit_the_role_are_rejected(CallerRole role, string region, string? dept, string reason)
    {
        var token = new TokenIssuer(Options).Issue(new Caller("x", role, FanPin.RegionPrefix.Parse(region), dept), TimeSpan.FromHours(1));
        var (caller, error) = await new TokenIssuer(Options).ValidateAsync(token);
        Assert.Null(caller);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_without_a_region_is_rejected()
    {
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler();
        var token = handler.CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = Options.Issuer,
            Audience = Options.Audience,
            Claims = new Dictionary<string, object> { ["sub"] = "x", ["role"] = "county" },
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(Options.CreateSigningKey(), "HS256"),
        });
        var (caller, error) = await new TokenIssuer(Options).ValidateAsync(token);
        Assert.Null(caller);
        Assert.Contains("no region scope", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_cadres_and_offices_see_full_ID_numbers()
    {
        var scope = FanPin.RegionPrefix.Parse("620102");
        Assert.True(new Caller("a", CallerRole.County, scope, null).MaySeeFullIdNumbers);
        Assert.False(new Caller("a", CallerRole.Downstream, scope, null).MaySeeFullIdNumbers);
        Assert.False(new Caller("a", CallerRole.Department, scope, "civil-affairs").MaySeeFullIdNumbers);
        Assert.True(new Caller("a", CallerRole.Downstream, scope, null).IsReadOnly);
    }

    [Fact]
    public void A_short_signing_key_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new FanPinAuthOptions { SigningKey = "short" }.CreateSigningKey());
        Assert.Contains("at least 32", error.Message, StringComparison.Ordinal);
    }

    private static string Base64Url(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
