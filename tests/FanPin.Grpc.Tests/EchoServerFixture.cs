using FanPin.Grpc.Interop;

namespace FanPin.Grpc.Tests;

/// <summary>Two real Kestrel echo servers on loopback ports (responses plain, and gzip), shared by a test class.</summary>
public sealed class EchoServerFixture : IAsyncLifetime
{
    public EchoServer Server { get; private set; } = null!;

    public EchoServer GzipServer { get; private set; } = null!;

    public string Token { get; } = EchoServer.IssueToken();

    public async Task InitializeAsync()
    {
        Server = await EchoServer.StartAsync();
        GzipServer = await EchoServer.StartAsync(o => o.ResponseCompression = "gzip");
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await GzipServer.DisposeAsync();
    }

    public GrpcChannel Channel(Action<GrpcChannelOptions>? configure = null)
    {
        var options = new GrpcChannelOptions().WithBearerToken(Token);
        configure?.Invoke(options);
        return GrpcChannel.ForAddress(Server.Address, options);
    }
}
