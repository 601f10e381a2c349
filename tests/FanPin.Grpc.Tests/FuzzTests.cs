using System.Collections.Concurrent;
using System.Net;
using FanPin.Contracts.Testing.V1;
using FanPin.Grpc.Protocol;
using Google.Protobuf;

namespace FanPin.Grpc.Tests;

/// <summary>
/// Feeds a live server 10,000+ random, truncated, oversize and otherwise malformed request bodies, over
/// every method kind: every call must end with a grpc-status and the server must keep serving.
/// </summary>
public class FuzzTests(EchoServerFixture fixture) : IClassFixture<EchoServerFixture>
{
    private const int Calls = 10_240;

    private static readonly string[] Paths =
    [
        "/fanpin.testing.v1.EchoService/Unary",
        "/fanpin.testing.v1.EchoService/ServerStream",
        "/fanpin.testing.v1.EchoService/ClientStream",
        "/fanpin.testing.v1.EchoService/BidiStream",
        "/fanpin.testing.v1.EchoService/GetCallRecord",
        "/grpc.health.v1.Health/Check",
        "/fanpin.testing.v1.EchoService/NoSuchMethod",
    ];

    private sealed record FuzzCase(int Number, string Kind, string Path, byte[] Body, string? Encoding);

    [Fact]
    public async Task Every_malformed_call_ends_with_a_status_and_the_server_stays_up()
    {
        var random = new Random(20261123);
        var cases = Enumerable.Range(0, Calls).Select(i => Make(random, i)).ToList();
        var statuses = new ConcurrentDictionary<string, int>();
        var failures = new ConcurrentQueue<string>();
        using var http = new HttpMessageInvoker(new SocketsHttpHandler { EnableMultipleHttp2Connections = true, UseProxy = false });

        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (c, _) =>
        {
            var request = RawHttp.Request(fixture.Server.Address, c.Path, c.Body, fixture.Token);
            request.Headers.TryAddWithoutValidation("grpc-timeout", "5S");
            if (c.Encoding is not null)
            {
                request.Headers.TryAddWithoutValidation("grpc-encoding", c.Encoding);
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                var response = await RawHttp.SendAsync(request, http, timeout.Token);
                if (response.HttpStatus != HttpStatusCode.OK || response.GrpcStatus is null)
                {
                    failures.Enqueue($"#{c.Number} {c.Kind} {c.Path}: HTTP {(int)response.HttpStatus}, grpc-status {response.GrpcStatus ?? "missing"}");
                    return;
                }
                statuses.AddOrUpdate(response.GrpcStatus, 1, (_, n) => n + 1);
            }
            catch (Exception ex)
            {
                failures.Enqueue($"#{c.Number} {c.Kind} {c.Path}: {ex.GetType().Name}: {ex.Message}");
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} calls ended without a status:\n" + string.Join('\n', failures.Take(10)));
        Assert.Equal(Calls, statuses.Values.Sum());
        // The fuzzer reached the framing code (INTERNAL, RESOURCE_EXHAUSTED) and the methods (OK).
        Assert.Contains("0", statuses.Keys);
        Assert.Contains("8", statuses.Keys);
        Assert.Contains("13", statuses.Keys);
        Assert.Contains("12", statuses.Keys);

        using var channel = fixture.Channel();
        var after = await new EchoService.EchoServiceClient(channel).UnaryAsync(new UnaryRequest { Message = "still here" });
        Assert.Equal("still here", after.Message);
    }

    private static FuzzCase Make(Random random, int number)
    {
        var path = Paths[random.Next(Paths.Length)];
        var valid = MessageFraming.ToFrame(ValidMessage(random, path), null, compress: false);
        var kind = number % 500 == 0 ? 12 : random.Next(12);
        return kind switch
        {
            0 => new(number, "random bytes", path, Bytes(random, random.Next(0, 64)), null),
            1 => new(number, "random payload", path, Frame(0, Bytes(random, random.Next(0, 256))), null),
            2 => new(number, "truncated", path, valid[..random.Next(1, valid.Length)], null),
            3 => new(number, "declared oversize", path, Header(0, (uint)random.NextInt64(GrpcProtocol.DefaultMaxMessageSize + 1L, uint.MaxValue)).Concat(Bytes(random, 10)).ToArray(), null),
            4 => new(number, "compressed without encoding", path, Frame(1, Bytes(random, random.Next(0, 64))), null),
            5 => new(number, "corrupt gzip", path, Frame(1, Bytes(random, random.Next(0, 64))), "gzip"),
            6 => new(number, "bad flag", path, Frame((byte)random.Next(2, 256), Bytes(random, 4)), null),
            7 => new(number, "two messages", path, valid.Concat(valid).ToArray(), null),
            8 => new(number, "trailing garbage", path, valid.Concat(Bytes(random, random.Next(1, 5))).ToArray(), null),
            9 => new(number, "empty body", path, [], null),
            10 => new(number, "valid gzip", path, MessageFraming.ToFrame(ValidMessage(random, path), null, compress: true), "gzip"),
            11 => new(number, "valid", path, valid, null),
            _ => new(number, "real oversize", path, Frame(0, Bytes(random, GrpcProtocol.DefaultMaxMessageSize + 1)), null),
        };
    }

    private static IMessage ValidMessage(Random random, string path) => path switch
    {
        _ when path.EndsWith("/ServerStream", StringComparison.Ordinal) => new ServerStreamRequest { Message = "fuzz", Count = random.Next(0, 4), PayloadSize = random.Next(0, 100) },
        _ when path.EndsWith("/ClientStream", StringComparison.Ordinal) => new ClientStreamRequest { Message = "fuzz", Payload = ByteString.CopyFrom(Bytes(random, random.Next(0, 100))) },
        _ when path.EndsWith("/BidiStream", StringComparison.Ordinal) => new BidiStreamRequest { Message = "fuzz", ResponsePayloadSize = random.Next(0, 100) },
        _ when path.EndsWith("/GetCallRecord", StringComparison.Ordinal) => new GetCallRecordRequest { Tag = "fuzz" },
        _ when path.EndsWith("/Check", StringComparison.Ordinal) => new global::Grpc.Health.V1.HealthCheckRequest(),
        _ => new UnaryRequest { Message = "fuzz", Payload = ByteString.CopyFrom(Bytes(random, random.Next(0, 100))), ResponsePayloadSize = random.Next(0, 100) },
    };

    private static byte[] Header(byte flag, uint length) => [flag, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length];

    private static byte[] Frame(byte flag, byte[] payload) => Header(flag, (uint)payload.Length).Concat(payload).ToArray();

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
