using FanPin.Grpc.Interceptors;
using FanPin.Grpc.Interop;
using FanPin.Grpc.Testing;
using FanPin.ServiceDefaults.Authentication;
using Google.Rpc;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FanPin.Grpc.Tests;

public class ExceptionMappingTests
{
    private static async Task<TestServerCallContext> RunAsync(Exception exception, TestServerCallContext? context = null, bool detailedErrors = false)
    {
        context ??= new TestServerCallContext();
        var interceptor = new ExceptionMappingInterceptor(Options.Create(new GrpcServerOptions { EnableDetailedErrors = detailedErrors }), NullLogger<ExceptionMappingInterceptor>.Instance);
        await interceptor.InvokeAsync(context, _ => throw exception);
        return context;
    }

    private static Google.Rpc.Status Details(TestServerCallContext context) =>
        Google.Rpc.Status.Parser.ParseFrom(context.ResponseTrailers.GetValueBytes(RpcException.StatusDetailsTrailer));

    [Fact]
    public async Task RpcException_gives_its_status_and_details()
    {
        var context = await RunAsync(RpcException.NotFound("household 42 not found", "HOUSEHOLD_NOT_FOUND", new Dictionary<string, string> { ["id"] = "42" }));
        Assert.Equal(new Status(StatusCode.NotFound, "household 42 not found"), context.Status);
        var details = Details(context);
        Assert.Equal((int)StatusCode.NotFound, details.Code);
        var info = details.Details.Single().Unpack<ErrorInfo>();
        Assert.Equal(("HOUSEHOLD_NOT_FOUND", "fanpin", "42"), (info.Type, info.Domain, info.Metadata["id"]));
    }

    [Theory]
    [InlineData(StatusCode.AlreadyExists)]
    [InlineData(StatusCode.FailedPrecondition)]
    [InlineData(StatusCode.Aborted)]
    public async Task Helper_factories_give_their_codes(StatusCode code)
    {
        var exception = code switch
        {
            StatusCode.AlreadyExists => RpcException.AlreadyExists("exists"),
            StatusCode.FailedPrecondition => RpcException.FailedPrecondition("closed", "CASE_CLOSED"),
            _ => RpcException.Aborted("conflict"),
        };
        var context = await RunAsync(exception);
        Assert.Equal(code, context.Status.StatusCode);
        Assert.Equal((int)code, Details(context).Code);
    }

    [Fact]
    public async Task Validation_gives_invalid_argument_with_bad_request_naming_each_field()
    {
        var violations = new FieldViolations().Add("members[0].id_number", "must have 18 characters").Add("region", "unknown region");
        var exception = Assert.Throws<RequestValidationException>(violations.ThrowIfAny);
        var context = await RunAsync(exception);
        Assert.Equal(StatusCode.InvalidArgument, context.Status.StatusCode);
        Assert.Equal("members[0].id_number: must have 18 characters (and 1 more)", context.Status.Detail);
        var badRequest = Details(context).Details.Single().Unpack<BadRequest>();
        Assert.Equal(["members[0].id_number", "region"], badRequest.FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public void No_violations_throws_nothing() => new FieldViolations().AddIf(false, "f", "d").ThrowIfAny();

    [Fact]
    public async Task Access_denied_gives_permission_denied()
    {
        var context = await RunAsync(new AccessDeniedException("region 620103 is outside the caller's scope 620102"));
        Assert.Equal(new Status(StatusCode.PermissionDenied, "region 620103 is outside the caller's scope 620102"), context.Status);
        Assert.Equal(ExceptionStatusMapper.AccessDeniedReason, Details(context).Details.Single().Unpack<ErrorInfo>().Type);
    }

    [Fact]
    public async Task Domain_validation_errors_give_invalid_argument_with_every_field()
    {
        var context = await RunAsync(new FanPin.ValidationFailedException(
            [new FanPin.FieldViolation("members[1].id_number", "fails the GB 11643 check digit"), new FanPin.FieldViolation("name", "is empty")]));
        Assert.Equal(StatusCode.InvalidArgument, context.Status.StatusCode);
        var badRequest = Details(context).Details.Single().Unpack<BadRequest>();
        Assert.Equal(["members[1].id_number", "name"], badRequest.FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task Domain_not_found_precondition_and_exists_errors_give_their_statuses()
    {
        var notFound = await RunAsync(new FanPin.NotFoundException("household", "h-1"));
        Assert.Equal(new Status(StatusCode.NotFound, "household h-1 not found"), notFound.Status);
        Assert.Equal("household", Details(notFound).Details.Single().Unpack<ErrorInfo>().Metadata["kind"]);

        var precondition = await RunAsync(new FanPin.PreconditionFailedException("appraisal needs a verified case", "AwaitingHomeVerification"));
        Assert.Equal(StatusCode.FailedPrecondition, precondition.Status.StatusCode);
        Assert.Contains("current state: AwaitingHomeVerification", precondition.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("AwaitingHomeVerification", Details(precondition).Details.Single().Unpack<ErrorInfo>().Metadata["current_state"]);

        var exists = await RunAsync(new FanPin.AlreadyExistsException("ID number already in household h-2"));
        Assert.Equal(new Status(StatusCode.AlreadyExists, "ID number already in household h-2"), exists.Status);
    }

    [Fact]
    public async Task Cancellation_by_the_client_gives_cancelled()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var context = await RunAsync(new OperationCanceledException(cts.Token), new TestServerCallContext(cancellationToken: cts.Token));
        Assert.Equal(StatusCode.Cancelled, context.Status.StatusCode);
    }

    [Fact]
    public async Task Cancellation_after_the_deadline_gives_deadline_exceeded()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var context = await RunAsync(new TaskCanceledException(), new TestServerCallContext(deadline: DateTime.UtcNow.AddSeconds(-1), cancellationToken: cts.Token));
        Assert.Equal(StatusCode.DeadlineExceeded, context.Status.StatusCode);
    }

    [Fact]
    public async Task A_cancellation_nobody_asked_for_is_internal()
    {
        var context = await RunAsync(new OperationCanceledException("a downstream timeout"));
        Assert.Equal(StatusCode.Internal, context.Status.StatusCode);
    }

    [Fact]
    public async Task Anything_else_is_internal_without_the_exception_text()
    {
        var http = new DefaultHttpContext { TraceIdentifier = "trace-123" };
        var context = await RunAsync(new InvalidOperationException("Password=hunter2"), new TestServerCallContext(httpContext: http));
        Assert.Equal(StatusCode.Internal, context.Status.StatusCode);
        Assert.DoesNotContain("hunter2", context.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("trace-123", context.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(context.ResponseTrailers);
    }

    [Fact]
    public async Task Detailed_errors_show_the_exception_when_configured()
    {
        var context = await RunAsync(new InvalidOperationException("boom"), detailedErrors: true);
        Assert.Contains("InvalidOperationException: boom", context.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unexpected_exceptions_are_logged_with_their_text()
    {
        var logger = new CapturingLogger();
        var context = new TestServerCallContext();
        ExceptionStatusMapper.Apply(context, new InvalidOperationException("Password=hunter2"), logger, detailedErrors: false);
        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Equal("Password=hunter2", entry.Exception?.Message);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Success_passes_through()
    {
        var context = new TestServerCallContext();
        var interceptor = new ExceptionMappingInterceptor(Options.Create(new GrpcServerOptions()), NullLogger<ExceptionMappingInterceptor>.Instance);
        var ran = false;
        await interceptor.InvokeAsync(context, _ =>
        {
            ran = true;
            return Task.CompletedTask;
        });
        Assert.True(ran);
        Assert.Equal(StatusCode.OK, context.Status.StatusCode);
    }

    private sealed class CapturingLogger : ILogger
    {
        public List<(LogLevel Level, Exception? Exception)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, exception));
    }
}

public class AuthenticationInterceptorTests
{
    private static readonly IServiceProvider Services = CreateServices();

    private static IServiceProvider CreateServices(string? signingKey = null, ValidatedTokenCache? cache = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development });
        if (signingKey is not null)
        {
            builder.Configuration["Auth:SigningKey"] = signingKey;
        }
        if (cache is not null)
        {
            builder.Services.AddSingleton(cache);
        }
        builder.AddFanPinAuthentication();
        builder.AddGrpcTransport();
        builder.Services.AddLogging();
        return builder.Services.BuildServiceProvider();
    }

    private static async Task<(Caller? Caller, bool NextRan)> RunAsync(
        string? authorization, bool anonymous = false, bool required = true, IServiceProvider? services = null)
    {
        // One scope per request, as ASP.NET Core does: authentication handlers are cached per scope.
        using var scope = (services ?? Services).CreateScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        if (authorization is not null)
        {
            http.Request.Headers.Authorization = authorization;
        }
        if (anonymous)
        {
            http.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(new AllowAnonymousAttribute()), "health"));
        }
        var context = new TestServerCallContext(httpContext: http);
        var interceptor = new AuthenticationInterceptor(Options.Create(new GrpcServerOptions { RequireAuthentication = required }));
        Caller? seen = null;
        var nextRan = false;
        await interceptor.InvokeAsync(context, c =>
        {
            seen = c.Caller;
            nextRan = true;
            return Task.CompletedTask;
        });
        return (seen, nextRan);
    }

    [Fact]
    public async Task No_token_is_unauthenticated_with_the_reason()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => RunAsync(null));
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.Contains("no bearer token", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_token_is_unauthenticated()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => RunAsync("Bearer not.a.token"));
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.Contains("invalid token", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_token_is_unauthenticated_and_says_so()
    {
        var twoHoursAgo = new FixedClock(DateTimeOffset.UtcNow.AddHours(-2));
        var token = EchoServer.IssueToken(lifetime: TimeSpan.FromHours(1), clock: twoHoursAgo);
        var ex = await Assert.ThrowsAsync<RpcException>(() => RunAsync("Bearer " + token));
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.Contains("expired", ex.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Valid_token_makes_the_caller_visible_to_the_method()
    {
        var (caller, nextRan) = await RunAsync("Bearer " + EchoServer.IssueToken("county-officer-7"));
        Assert.True(nextRan);
        Assert.Equal("county-officer-7", caller?.Subject);
        Assert.Equal(CallerRole.County, caller?.Role);
        Assert.Equal("620102", caller?.Scope.ToString());
    }

    [Fact]
    public async Task Anonymous_methods_run_without_a_token()
    {
        var (caller, nextRan) = await RunAsync(null, anonymous: true);
        Assert.True(nextRan);
        Assert.Null(caller);
    }

    [Fact]
    public async Task Anonymous_methods_still_see_a_valid_token()
    {
        var (caller, _) = await RunAsync("Bearer " + EchoServer.IssueToken("probe"), anonymous: true);
        Assert.Equal("probe", caller?.Subject);
    }

    [Fact]
    public async Task Authentication_can_be_switched_off()
    {
        var (caller, nextRan) = await RunAsync(null, required: false);
        Assert.True(nextRan);
        Assert.Null(caller);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(120)]
    public async Task A_validated_token_is_remembered_until_it_expires_and_at_most_five_minutes(int minutesLater)
    {
        var clock = new MovableClock(DateTimeOffset.UtcNow);
        var cache = new ValidatedTokenCache(clock);
        var validating = CreateServices(cache: cache);
        // Shares the cache but validates with another key: it accepts the token only while remembered.
        var otherKey = CreateServices("another-signing-key-of-at-least-thirty-two-bytes", cache);
        var authorization = "Bearer " + EchoServer.IssueToken("remembered", lifetime: TimeSpan.FromHours(1));

        await Assert.ThrowsAsync<RpcException>(() => RunAsync(authorization, services: otherKey));
        Assert.Equal("remembered", (await RunAsync(authorization, services: validating)).Caller?.Subject);
        Assert.Equal("remembered", (await RunAsync(authorization, services: otherKey)).Caller?.Subject);

        clock.Now = clock.Now.AddMinutes(minutesLater);
        var ex = await Assert.ThrowsAsync<RpcException>(() => RunAsync(authorization, services: otherKey));
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
    }

    [Fact]
    public void RequireCaller_is_unauthenticated_without_one()
    {
        var ex = Assert.Throws<RpcException>(() => new TestServerCallContext().RequireCaller());
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class MovableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}

public class CallOptionsTests
{
    [Fact]
    public void PropagateFrom_carries_deadline_cancellation_and_token()
    {
        using var cts = new CancellationTokenSource();
        var http = new DefaultHttpContext();
        http.Request.Headers.Authorization = "Bearer abc.def.ghi";
        var deadline = DateTime.UtcNow.AddSeconds(5);
        var options = CallOptions.PropagateFrom(new TestServerCallContext(deadline: deadline, cancellationToken: cts.Token, httpContext: http));
        Assert.Equal(deadline, options.Deadline);
        Assert.Equal(cts.Token, options.CancellationToken);
        Assert.Equal("abc.def.ghi", options.BearerToken);
    }

    [Fact]
    public void PropagateFrom_without_deadline_or_token()
    {
        var options = CallOptions.PropagateFrom(new TestServerCallContext());
        Assert.Null(options.Deadline);
        Assert.Null(options.BearerToken);
    }

    [Fact]
    public void With_methods_set_one_thing_each()
    {
        var options = new CallOptions().WithTimeout(TimeSpan.FromSeconds(1)).WithBearerToken("t").WithHeaders(new Metadata { { "a", "b" } });
        Assert.NotNull(options.Deadline);
        Assert.Equal("t", options.BearerToken);
        Assert.Equal("b", options.Headers?.GetValue("a"));
    }
}
