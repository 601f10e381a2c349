using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using FanPin.Contracts.Testing.V1;
using FanPin.Grpc.Protocol;
using Google.Protobuf;

namespace FanPin.Grpc.Tests;

public class GrpcTimeoutTests
{
    [Theory]
    [InlineData("200m", 200 * TimeSpan.TicksPerMillisecond)]
    [InlineData("1S", TimeSpan.TicksPerSecond)]
    [InlineData("3M", 3 * TimeSpan.TicksPerMinute)]
    [InlineData("2H", 2 * TimeSpan.TicksPerHour)]
    [InlineData("1500u", 15_000)]
    [InlineData("100n", 1)]
    [InlineData("99999999S", 99_999_999 * TimeSpan.TicksPerSecond)]
    public void Parses_every_unit(string header, long ticks)
    {
        Assert.True(GrpcTimeout.TryParse(header, out var timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("10")]
    [InlineData("10x")]
    [InlineData("-1S")]
    [InlineData("123456789S")]
    [InlineData("1.5S")]
    [InlineData(" 1S")]
    public void Refuses_what_the_protocol_does_not_allow(string? header) => Assert.False(GrpcTimeout.TryParse(header, out _));

    [Theory]
    [InlineData(50 * TimeSpan.TicksPerMillisecond, "50000000n")]
    [InlineData(200 * TimeSpan.TicksPerMillisecond, "200000u")]
    [InlineData(TimeSpan.TicksPerSecond, "1000000u")]
    [InlineData(30 * TimeSpan.TicksPerSecond, "30000000u")]
    [InlineData(300 * TimeSpan.TicksPerSecond, "300000m")]
    [InlineData(2 * TimeSpan.TicksPerDay, "172800S")]
    [InlineData(0, "1n")]
    [InlineData(-5, "1n")]
    public void Formats_in_at_most_eight_digits(long ticks, string expected) => Assert.Equal(expected, GrpcTimeout.Format(TimeSpan.FromTicks(ticks)));

    [Fact]
    public void Format_never_gives_less_time_than_there_is()
    {
        var timeout = TimeSpan.FromTicks(123_456_789_123);
        Assert.True(GrpcTimeout.TryParse(GrpcTimeout.Format(timeout), out var parsed));
        Assert.True(parsed >= timeout);
        Assert.True(parsed - timeout < TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Format_caps_huge_timeouts() => Assert.Equal("99999999H", GrpcTimeout.Format(TimeSpan.MaxValue));
}

public class PercentEncodingTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("100%", "100%25")]
    [InlineData("a\nb", "a%0Ab")]
    [InlineData("户主", "%E6%88%B7%E4%B8%BB")]
    [InlineData("tab\there", "tab%09here")]
    public void Encodes_non_printable_and_percent(string text, string wire) => Assert.Equal(wire, PercentEncoding.Encode(text));

    [Theory]
    [InlineData("")]
    [InlineData("案件已关闭 100% done\nsecond line")]
    [InlineData("emoji 🙂 and \u0001 control")]
    public void Round_trips(string text) => Assert.Equal(text, PercentEncoding.Decode(PercentEncoding.Encode(text)));

    [Theory]
    [InlineData("50%", "50%")]
    [InlineData("%zz", "%zz")]
    [InlineData("%4", "%4")]
    [InlineData("%41", "A")]
    [InlineData("%e6%88%b7", "户")]
    public void Decoding_is_lenient(string wire, string text) => Assert.Equal(text, PercentEncoding.Decode(wire));
}

public class MessageFramingTests
{
    private static readonly UnaryRequest Message = new() { Message = "hello", Payload = ByteString.CopyFrom(new byte[100]) };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Frame_round_trips(bool compress)
    {
        var frame = MessageFraming.ToFrame(Message, maxSize: null, compress);
        Assert.Equal(compress ? 1 : 0, frame[0]);
        var buffer = new ReadOnlySequence<byte>(frame);
        Assert.True(MessageFraming.TryReadFrame(ref buffer, 4096, out var compressed, out var payload));
        Assert.Equal(compress, compressed);
        Assert.Equal(0, buffer.Length);
        Assert.Equal(Message, MessageFraming.Parse(UnaryRequest.Parser, payload, compressed, compress ? "gzip" : null, 4096));
    }

    [Fact]
    public void Header_is_flag_and_big_endian_length()
    {
        var frame = MessageFraming.ToFrame(new UnaryRequest { Message = "x" }, null, compress: false);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 3, 0x0A, 1, (byte)'x' }, frame);
    }

    [Fact]
    public void Buffer_writer_and_array_give_the_same_frame()
    {
        var writer = new ArrayBufferWriter<byte>();
        MessageFraming.WriteFrame(writer, Message, null, compress: false);
        Assert.Equal(MessageFraming.ToFrame(Message, null, compress: false), writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Empty_message_is_never_compressed()
    {
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0 }, MessageFraming.ToFrame(new UnaryRequest(), null, compress: true));
    }

    [Fact]
    public void Incomplete_frame_asks_for_more()
    {
        var frame = MessageFraming.ToFrame(Message, null, compress: false);
        for (var length = 0; length < frame.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(frame, 0, length);
            Assert.False(MessageFraming.TryReadFrame(ref buffer, null, out _, out _));
            Assert.Equal(length, buffer.Length);
        }
    }

    [Fact]
    public void Oversize_is_refused_from_the_header_alone()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0, 0, 0x40, 0, 1 });
        var ex = Assert.Throws<RpcException>(() => MessageFraming.TryReadFrame(ref buffer, 4 * 1024 * 1024, out _, out _));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public void Sending_oversize_is_refused()
    {
        var ex = Assert.Throws<RpcException>(() => MessageFraming.ToFrame(Message, maxSize: 10, compress: false));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public void Unknown_flag_is_internal()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 2, 0, 0, 0, 0 });
        Assert.Equal(StatusCode.Internal, Assert.Throws<RpcException>(() => MessageFraming.TryReadFrame(ref buffer, null, out _, out _)).StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("identity")]
    [InlineData("snappy")]
    public void Compressed_message_without_gzip_encoding_is_internal(string? encoding)
    {
        var payload = new ReadOnlySequence<byte>(MessageFraming.ToFrame(Message, null, compress: true).AsMemory(5));
        Assert.Equal(StatusCode.Internal, Assert.Throws<RpcException>(() => MessageFraming.Parse(UnaryRequest.Parser, payload, true, encoding, null)).StatusCode);
    }

    [Fact]
    public void Corrupt_gzip_is_internal()
    {
        var payload = new ReadOnlySequence<byte>(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        Assert.Equal(StatusCode.Internal, Assert.Throws<RpcException>(() => MessageFraming.Parse(UnaryRequest.Parser, payload, true, "gzip", null)).StatusCode);
    }

    [Fact]
    public void Decompressing_beyond_the_limit_is_resource_exhausted()
    {
        var big = new UnaryRequest { Payload = ByteString.CopyFrom(new byte[100_000]) };
        var frame = MessageFraming.ToFrame(big, null, compress: true);
        Assert.True(frame.Length < 10_000, "zeros compress well");
        var payload = new ReadOnlySequence<byte>(frame.AsMemory(5));
        var ex = Assert.Throws<RpcException>(() => MessageFraming.Parse(UnaryRequest.Parser, payload, true, "gzip", maxSize: 50_000));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public void Bytes_that_are_not_the_message_are_internal()
    {
        var payload = new ReadOnlySequence<byte>(new byte[] { 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F });
        var ex = Assert.Throws<RpcException>(() => MessageFraming.Parse(UnaryRequest.Parser, payload, false, null, null));
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
    }

    [Fact]
    public async Task Reader_reads_messages_split_across_reads_then_ends()
    {
        var pipe = new Pipe();
        var frames = MessageFraming.ToFrame(Message, null, false).Concat(MessageFraming.ToFrame(new UnaryRequest { Message = "2" }, null, false)).ToArray();
        foreach (var b in frames)
        {
            await pipe.Writer.WriteAsync(new[] { b });
        }
        await pipe.Writer.CompleteAsync();
        var reader = new FrameReader(pipe.Reader, null, null);
        Assert.Equal(Message, await reader.ReadAsync(UnaryRequest.Parser, default));
        Assert.Equal("2", (await reader.ReadAsync(UnaryRequest.Parser, default))!.Message);
        Assert.Null(await reader.ReadAsync(UnaryRequest.Parser, default));
    }

    [Fact]
    public async Task Reader_reports_a_stream_that_ends_inside_a_frame()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(MessageFraming.ToFrame(Message, null, false).AsMemory(0, 20));
        await pipe.Writer.CompleteAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await new FrameReader(pipe.Reader, null, null).ReadAsync(UnaryRequest.Parser, default));
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
    }
}

public class MetadataTests
{
    [Fact]
    public void Keys_are_lower_case_and_validated()
    {
        var metadata = new Metadata { { "X-Region", "620102" } };
        Assert.Equal("x-region", metadata[0].Key);
        Assert.Throws<ArgumentException>(() => metadata.Add("bad key", "v"));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-data-bin", "text"));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-data", new byte[] { 1 }));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-text", "non-ascii 户"));
    }

    [Fact]
    public void Binary_values_go_out_unpadded_and_come_back_padded_or_not()
    {
        var entry = new Metadata.Entry("x-data-bin", [1, 2, 3, 4]);
        Assert.Equal("AQIDBA", MetadataCodec.ToHeaderValue(entry));
        var metadata = new Metadata();
        MetadataCodec.AddFromHeader(metadata, "X-Data-Bin", ["AQIDBA", "AQIDBA==", "AQ,Ag"]);
        Assert.Equal(4, metadata.Count);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, metadata[0].ValueBytes);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, metadata[1].ValueBytes);
        Assert.Equal(new byte[] { 1 }, metadata[2].ValueBytes);
        Assert.Equal(new byte[] { 2 }, metadata[3].ValueBytes);
    }

    [Fact]
    public void Transport_headers_are_not_metadata()
    {
        var metadata = new Metadata();
        foreach (var key in new[] { "content-type", "te", "grpc-timeout", "grpc-encoding", "grpc-status", ":path", "user-agent" })
        {
            MetadataCodec.AddFromHeader(metadata, key, ["x"]);
        }
        MetadataCodec.AddFromHeader(metadata, "authorization", ["Bearer t"]);
        Assert.Equal("authorization", Assert.Single(metadata).Key);
    }

    [Fact]
    public void Invalid_base64_is_internal()
    {
        var ex = Assert.Throws<RpcException>(() => MetadataCodec.AddFromHeader(new Metadata(), "x-bin", ["!!!"]));
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
    }
}

public class StatusMappingTests
{
    [Theory]
    [InlineData(HttpStatusCode.BadRequest, StatusCode.Internal)]
    [InlineData(HttpStatusCode.Unauthorized, StatusCode.Unauthenticated)]
    [InlineData(HttpStatusCode.Forbidden, StatusCode.PermissionDenied)]
    [InlineData(HttpStatusCode.NotFound, StatusCode.Unimplemented)]
    [InlineData(HttpStatusCode.TooManyRequests, StatusCode.Unavailable)]
    [InlineData(HttpStatusCode.BadGateway, StatusCode.Unavailable)]
    [InlineData(HttpStatusCode.ServiceUnavailable, StatusCode.Unavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout, StatusCode.Unavailable)]
    [InlineData(HttpStatusCode.InternalServerError, StatusCode.Unknown)]
    public void Http_status_maps_as_the_spec_says(HttpStatusCode http, StatusCode expected) => Assert.Equal(expected, StatusMapping.FromHttpStatus(http));

    [Theory]
    [InlineData(0x7, StatusCode.Unavailable)]
    [InlineData(0x8, StatusCode.Cancelled)]
    [InlineData(0xB, StatusCode.ResourceExhausted)]
    [InlineData(0x2, StatusCode.Internal)]
    public void Http2_reset_codes_map_as_the_spec_says(long code, StatusCode expected) => Assert.Equal(expected, StatusMapping.FromHttp2ErrorCode(code));
}
