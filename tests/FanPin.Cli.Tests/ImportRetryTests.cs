using FanPin.Grpc;

namespace FanPin.Cli.Tests;

public sealed class ImportRetryTests
{
    public static TheoryData<Exception, bool> Failures => new()
    {
        { new RpcException(new Status(StatusCode.Unavailable, "Connection refused")), true },
        { new RpcException(new Status(StatusCode.Internal, "stream reset")), true },
        { new RpcException(new Status(StatusCode.Unknown, "")), true },
        { new RpcException(new Status(StatusCode.Aborted, "")), true },
        { new RpcException(new Status(StatusCode.DeadlineExceeded, "")), true },
        { new IOException("broken pipe"), true },
        { new HttpRequestException("refused"), true },
        { new RpcException(new Status(StatusCode.InvalidArgument, "feed_id: must be 1–100 characters")), false },
        { new RpcException(new Status(StatusCode.PermissionDenied, "")), false },
        { new RpcException(new Status(StatusCode.Unauthenticated, "")), false },
        { new RpcException(new Status(StatusCode.FailedPrecondition, "")), false },
        { new RpcException(new Status(StatusCode.Cancelled, "")), false },
        { new FormatException("not a number"), false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Only_a_service_or_connection_that_went_away_is_retried(Exception failure, bool transient) =>
        Assert.Equal(transient, ImportRetry.IsTransient(failure));

    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 4)]
    [InlineData(5, 5)]
    [InlineData(20, 5)]
    public void Retries_wait_longer_up_to_five_seconds(int attempt, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), ImportRetry.Delay(attempt));

    [Fact]
    public async Task An_import_that_fails_while_the_service_restarts_is_sent_again_with_a_line_per_retry()
    {
        var calls = 0;
        var lines = new List<string>();
        var waited = new List<TimeSpan>();
        var result = await ImportRetry.RunAsync("feed f-1", _ =>
        {
            calls++;
            return calls < 3 ? throw new RpcException(new Status(StatusCode.Unavailable, "Connection refused")) : Task.FromResult(42);
        }, lines.Add, wait: (d, _) => { waited.Add(d); return Task.CompletedTask; });

        Assert.Equal((42, 3), (result, calls));
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], waited);
        Assert.Equal(3, lines.Count);
        Assert.Equal("feed f-1: the service went away (Unavailable: Connection refused); sending it again under the same id in 1 s (attempt 2 of 20)", lines[0]);
        Assert.Equal("feed f-1: done on attempt 3", lines[2]);
    }

    [Fact]
    public async Task A_refusal_is_not_retried_and_the_last_transient_failure_surfaces_when_attempts_run_out()
    {
        var calls = 0;
        var refused = await Assert.ThrowsAsync<RpcException>(() => ImportRetry.RunAsync<int>("feed f-2", _ =>
        {
            calls++;
            throw new RpcException(new Status(StatusCode.InvalidArgument, "period: not over yet"));
        }, wait: (_, _) => Task.CompletedTask));
        Assert.Equal((StatusCode.InvalidArgument, 1), (refused.StatusCode, calls));

        calls = 0;
        var gone = await Assert.ThrowsAsync<RpcException>(() => ImportRetry.RunAsync<int>("feed f-3", _ =>
        {
            calls++;
            throw new RpcException(new Status(StatusCode.Unavailable, $"attempt {calls}"));
        }, attempts: 4, wait: (_, _) => Task.CompletedTask));
        Assert.Equal((StatusCode.Unavailable, "attempt 4", 4), (gone.StatusCode, gone.Status.Detail, calls));
    }
}
