extern alias monitoring;
extern alias registry;

using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using FanPin.Cli.Datagen;
using FanPin.Policies;
using FanPin.ServiceDefaults.Authentication;
using FanPin.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using monitoring::FanPin.Monitoring.Application.Registry;
using monitoring::FanPin.Monitoring.Infrastructure;
using Mon = FanPin.Contracts.Monitoring.V1;
using MonitoringDomain = monitoring::FanPin.Monitoring.Domain;
using MonitoringProgram = monitoring::Program;
using MonitoringServices = monitoring::FanPin.Monitoring.MonitoringServices;
using RegistryProgram = registry::Program;
using RegistryServices = registry::FanPin.Registry.RegistryServices;

namespace FanPin.Cli.Tests;

/// <summary>
/// A generated county imported into the real services: the registry (its own PostgreSQL database and RabbitMQ vhost)
/// through the CLI's gRPC import streams, and the monitoring service (its own database, evaluation worker running)
/// fed every generated department feed through ImportFeed. Monitoring's read model is given the households as the
/// registry's events would (monitoring does not consume them over the bus yet). Afterwards every household's
/// signals, as monitoring evaluated them, equal the independent check's.
/// </summary>
public sealed class EndToEndImportTests : IAsyncLifetime
{
    private readonly string _signingKey = "base64:" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly IsolatedInfrastructure _registryInfra = new();
    private readonly IsolatedInfrastructure _monitoringInfra = new();
    private WebApplicationFactory<RegistryProgram>? _registry;
    private WebApplicationFactory<MonitoringProgram>? _monitoring;
    private Uri _registryAddress = null!, _monitoringAddress = null!;

    public async Task InitializeAsync()
    {
        await _registryInfra.InitializeAsync();
        await _monitoringInfra.InitializeAsync();
        var policies = Path.Combine(AppContext.BaseDirectory, "policies");
        _registryAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        _registry = new WebApplicationFactory<RegistryProgram>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting($"ConnectionStrings:{RegistryServices.DatabaseName}", _registryInfra.PostgresConnectionString);
            b.UseSetting("ConnectionStrings:messaging", _registryInfra.RabbitMqConnectionString);
            b.UseSetting("Auth:SigningKey", _signingKey);
            b.UseSetting("Registry:IdNumbers:EncryptionKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            b.UseSetting("Registry:IdNumbers:HashKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            b.UseSetting(RegistryServices.PolicyDirectoryKey, policies);
            b.UseSetting("Kestrel:Endpoints:grpc:Url", _registryAddress.ToString());
            b.UseSetting("Kestrel:Endpoints:health:Url", $"http://127.0.0.1:{FreePort()}");
            b.UseSetting("Logging:LogLevel:Default", "Warning");
        });
        _registry.UseKestrel();
        _registry.StartServer();
        _monitoringAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        _monitoring = new WebApplicationFactory<MonitoringProgram>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting($"ConnectionStrings:{MonitoringServices.DatabaseName}", _monitoringInfra.PostgresConnectionString);
            b.UseSetting("ConnectionStrings:messaging", _monitoringInfra.RabbitMqConnectionString);
            b.UseSetting("Auth:SigningKey", _signingKey);
            b.UseSetting(IdNumberHasher.HashKeyKey, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            b.UseSetting(MonitoringServices.PolicyDirectoryKey, policies);
            b.UseSetting("Monitoring:Workers:EvaluationPollInterval", "00:00:00.200");
            b.UseSetting("Kestrel:Endpoints:grpc:Url", _monitoringAddress.ToString());
            b.UseSetting("Kestrel:Endpoints:health:Url", $"http://127.0.0.1:{FreePort()}");
            b.UseSetting("Logging:LogLevel:Default", "Warning");
        });
        _monitoring.UseKestrel();
        _monitoring.StartServer();
    }

    public async Task DisposeAsync()
    {
        if (_monitoring is not null)
        {
            await _monitoring.DisposeAsync();
        }
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }
        await _monitoringInfra.DisposeAsync();
        await _registryInfra.DisposeAsync();
    }

    private string Token(CallerRole role, string region) =>
        new TokenIssuer(new FanPinAuthOptions { SigningKey = _signingKey }).Issue(new Caller($"datagen-{role}", role, RegionPrefix.Parse(region), null), TimeSpan.FromHours(1));

    [Fact]
    public async Task A_generated_county_imports_without_a_refused_row_and_monitoring_finds_exactly_the_signals_of_the_independent_check()
    {
        // History up to last month (China time), so that monitoring's reference month is the one after it.
        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).DateTime);
        using var county = new GeneratedProvince(new DatagenSettings(11, 1_500, "62", ["620102"], 12, Month.Of(today).AddMonths(-1)));

        using (var registry = ImportStreams.Channel(_registryAddress.ToString(), Token(CallerRole.Province, "62")))
        {
            var regions = await ImportStreams.ImportRegionsAsync(registry, county.PathOf(DatagenRunner.RegionsFile));
            Assert.Equal((county.Summary.Regions, 0, 0), regions);
        }
        using (var registry = ImportStreams.Channel(_registryAddress.ToString(), Token(CallerRole.County, "620102")))
        {
            var imported = await ImportStreams.ImportHouseholdsAsync(registry, county.PathOf(DatagenRunner.HouseholdsFile), "e2e");
            Assert.Empty(imported.FirstErrors);
            Assert.Equal((1, 1_500, 1_500, 0), (imported.Batches, imported.Received, imported.Accepted, imported.Rejected));
            // Sent again: the batch is answered with its first outcome, nothing is registered twice.
            var again = await ImportStreams.ImportHouseholdsAsync(registry, county.PathOf(DatagenRunner.HouseholdsFile), "e2e");
            Assert.Equal(imported.Accepted, again.Accepted);
        }
        Assert.Equal(1_500, await TestDatabase.CountAsync(_registryInfra.PostgresConnectionString, "SELECT count(*) FROM households"));
        Assert.Equal(county.Summary.Members, await TestDatabase.CountAsync(_registryInfra.PostgresConnectionString, "SELECT count(*) FROM members"));

        var ids = await RegisterInMonitoringAsync(county.PathOf(DatagenRunner.HouseholdsFile));

        using (var monitoringChannel = ImportStreams.Channel(_monitoringAddress.ToString(), Token(CallerRole.County, "620102")))
        {
            foreach (var (file, rows) in county.Summary.Feeds)
            {
                var unreadable = new List<Mon.RowRejection>();
                var result = await ImportStreams.ImportFeedAsync(monitoringChannel, county.PathOf(file.RelativePath), $"e2e-{file.Department}-{file.Period}",
                    file.Department, file.Period.ToString(), "620102", unreadable, backfill: false);
                Assert.Empty(unreadable);
                Assert.True(result.Invalid + result.Unmatched + result.Duplicates + result.OutsideScope == 0,
                    $"{file.RelativePath}: {string.Join("; ", result.Rejections.Take(5).Select(r => $"row {r.RowNumber} {r.Outcome}: {r.Reason}"))}");
                Assert.Equal((rows, rows), (result.RowsReceived, result.Applied));
            }

            var expected = await ProvinceCheck.RunAsync(county);
            var signals = new Mon.SignalService.SignalServiceClient(monitoringChannel);
            var deadline = DateTime.UtcNow.AddSeconds(120);
            var mismatches = new List<string>();
            var flagged = 0;
            foreach (var (number, household) in expected.OrderBy(kv => kv.Key))
            {
                Mon.GetHouseholdSignalsResponse response;
                while (true)
                {
                    response = await signals.GetHouseholdSignalsAsync(new Mon.GetHouseholdSignalsRequest { HouseholdId = ids[number].ToString() }).ResponseAsync;
                    if (response.Evaluated && !await QueuedAsync(ids[number]))
                    {
                        break;
                    }
                    Assert.True(DateTime.UtcNow < deadline, $"household {number} was not evaluated in time");
                    await Task.Delay(200);
                }
                var actual = response.Evaluation.Signals.Select(s => s.Code).Order(StringComparer.Ordinal).ToList();
                var wanted = household.Signals.Order(StringComparer.Ordinal).ToList();
                flagged += wanted.Count > 0 ? 1 : 0;
                if (!actual.SequenceEqual(wanted))
                {
                    mismatches.Add($"household {number}: monitoring [{string.Join(",", actual)}], check [{string.Join(",", wanted)}]");
                }
            }
            Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(20)));
            Assert.InRange(flagged, 40, 120);
        }
    }

    [Fact]
    public async Task Datagen_to_grpc_streams_regions_households_and_every_feed_to_the_running_services()
    {
        // The CLI's default end month (last month, UTC): never a month monitoring considers not over yet.
        var lastMonth = Month.Of(DateOnly.FromDateTime(DateTime.UtcNow)).AddMonths(-1);
        // Monitoring runs on a broker vhost of its own here, so it does not hear the registry's events: give its read
        // model the households of the same run first (same seed and options: byte-identical files), and do not wait.
        using var preview = new GeneratedProvince(new DatagenSettings(3, 300, "62", ["620102", "620103"], 12, lastMonth));
        await RegisterInMonitoringAsync(preview.PathOf(DatagenRunner.HouseholdsFile));
        var output = Path.Combine(Path.GetTempPath(), "fanpin-datagen-grpc-" + Guid.NewGuid().ToString("N"));
        try
        {
            var exit = await CliApp.RunAsync(["datagen", "--seed", "3", "--households", "300", "--counties", "620102,620103", "--end-month", lastMonth.ToString(),
                "--output", output, "--to", "grpc", "--registry", _registryAddress.ToString(), "--monitoring", _monitoringAddress.ToString(),
                "--token", Token(CallerRole.Province, "62"), "--wait-for-monitoring", "0"]);
            Assert.Equal(0, exit);
            Assert.Equal(300, await TestDatabase.CountAsync(_registryInfra.PostgresConnectionString, "SELECT count(*) FROM households"));
            Assert.Equal(preview.Summary.Regions, await TestDatabase.CountAsync(_registryInfra.PostgresConnectionString, "SELECT count(*) FROM regions"));
            Assert.Equal(preview.Summary.Feeds.Count, await TestDatabase.CountAsync(_monitoringInfra.PostgresConnectionString, "SELECT count(*) FROM feeds"));
            Assert.Equal(preview.Summary.FeedRows, await TestDatabase.CountAsync(_monitoringInfra.PostgresConnectionString, "SELECT count(*) FROM feed_rows"));

            // The stand-alone commands on the same files: regions unchanged, the household batch answered with its first outcome.
            var registry = _registryAddress.ToString();
            Assert.Equal(0, await CliApp.RunAsync(["regions", "import", Path.Combine(output, DatagenRunner.RegionsFile), "--registry", registry,
                "--token", Token(CallerRole.Province, "62")]));
            Assert.Equal(0, await CliApp.RunAsync(["households", "import", Path.Combine(output, DatagenRunner.HouseholdsFile), "--registry", registry,
                "--token", Token(CallerRole.Province, "62"), "--batch-id", "datagen-3-62"]));
            Assert.Equal(300, await TestDatabase.CountAsync(_registryInfra.PostgresConnectionString, "SELECT count(*) FROM households"));
            Assert.Equal(2, await CliApp.RunAsync(["households", "import", "--registry", registry, "--token", "t"]));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public async Task A_feed_whose_first_attempt_was_rolled_back_is_imported_whole_when_sent_again_and_feeds_import_skips_it()
    {
        var lastMonth = Month.Of(DateOnly.FromDateTime(DateTime.UtcNow)).AddMonths(-1);
        using var county = new GeneratedProvince(new DatagenSettings(5, 400, "62", ["620102"], 12, lastMonth));
        await RegisterInMonitoringAsync(county.PathOf(DatagenRunner.HouseholdsFile));
        var token = Token(CallerRole.Province, "62");
        var (feed, rows) = county.Summary.Feeds.MaxBy(f => f.Rows);
        var feedId = $"datagen-5-{feed.Department}-{feed.Period}";
        using var channel = ImportStreams.Channel(_monitoringAddress.ToString(), token);

        // The first attempt dies mid-stream (as when the CLI or the service is killed): half the rows, then the call is
        // cancelled without completing. Monitoring imports a feed in one transaction, so nothing of it may remain.
        using (var cancel = new CancellationTokenSource())
        {
            using var call = new Mon.FeedService.FeedServiceClient(channel).ImportFeed(cancellationToken: cancel.Token);
            await call.RequestStream.WriteAsync(new Mon.ImportFeedRequest
            {
                Header = new Mon.ImportFeedHeader { FeedId = feedId, Department = feed.Department, Period = feed.Period.ToString(), Region = "62" },
            });
            var batch = new Mon.FeedRowBatch();
            await using (var stream = File.OpenRead(county.PathOf(feed.RelativePath)))
            {
                await foreach (var row in FeedCsv.ReadAsync(stream).Take((int)rows / 2))
                {
                    batch.Rows.Add(ImportStreams.ToProto(row));
                }
            }
            await call.RequestStream.WriteAsync(new Mon.ImportFeedRequest { Rows = batch });
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => call.ResponseAsync);
        }

        // Sent again under the same id, as part of a back-fill: every row applied, none counted as imported before, and
        // the households it touched are held for the back-fill's end.
        var unreadable = new List<Mon.RowRejection>();
        var again = await ImportRetry.RunAsync(feedId, ct => ImportStreams.ImportFeedAsync(channel, county.PathOf(feed.RelativePath), feedId, feed.Department,
            feed.Period.ToString(), "62", unreadable, backfill: true, ct));
        Assert.Equal((rows, rows, 0), (again.RowsReceived, again.Applied, again.AlreadyImported));
        const string held = "SELECT count(*) FROM evaluation_queue WHERE held_until IS NOT NULL";
        Assert.Equal(again.HouseholdsQueued, await TestDatabase.CountAsync(_monitoringInfra.PostgresConnectionString, held));

        // `feeds import` of the whole folder: that feed is answered as imported, the others are imported; every row once;
        // the back-fill is ended after the last feed, so no household is held any more.
        Assert.Equal(0, await CliApp.RunAsync(["feeds", "import", county.Directory, "--monitoring", _monitoringAddress.ToString(), "--token", token]));
        Assert.Equal(0, await TestDatabase.CountAsync(_monitoringInfra.PostgresConnectionString, held));
        Assert.Equal(county.Summary.Feeds.Count, await TestDatabase.CountAsync(_monitoringInfra.PostgresConnectionString, "SELECT count(*) FROM feeds"));
        Assert.Equal(county.Summary.FeedRows, await TestDatabase.CountAsync(_monitoringInfra.PostgresConnectionString, "SELECT count(*) FROM feed_rows"));
        Assert.Equal(2, await CliApp.RunAsync(["feeds", "import", Path.Combine(county.Directory, "feeds"), "--monitoring", _monitoringAddress.ToString(), "--token", token]));
    }

    private async Task<bool> QueuedAsync(Guid household) =>
        await TestDatabase.CountAsync(_monitoringInfra.PostgresConnectionString, "SELECT count(*) FROM evaluation_queue WHERE household_id = @id", ("id", household)) > 0;

    /// <summary>Gives monitoring's read model the households, as the registry's HouseholdRegistered events would.</summary>
    private async Task<Dictionary<int, Guid>> RegisterInMonitoringAsync(string householdsFile)
    {
        var services = _monitoring!.Services;
        var hasher = services.GetRequiredService<IdNumberHasher>();
        var ids = new Dictionary<int, Guid>();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await using var stream = File.OpenRead(householdsFile);
        await foreach (var row in HouseholdCsv.ReadAsync(stream))
        {
            var household = Guid.CreateVersion7();
            ids[row.Household] = household;
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ApplyHouseholdFacts>().HandleAsync(new HouseholdFactsChange(household, row.RegionCode,
                Enum.Parse<HouseholdCategory>(row.Category), MonitoringDomain.HouseholdStatus.NotMonitored, DateTimeOffset.UtcNow));
            foreach (var member in row.Members)
            {
                Assert.True(IdNumber.TryParse(member.IdNumber, today, out var id, out _));
                await scope.ServiceProvider.GetRequiredService<ApplyMemberChange>().HandleAsync(new MemberChange(Guid.CreateVersion7(), household, row.RegionCode,
                    hasher.Hash(id), MembershipChange.Registered, null, Enum.Parse<LabourAbility>(member.LabourAbility), DateTimeOffset.UtcNow));
            }
        }
        return ids;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
