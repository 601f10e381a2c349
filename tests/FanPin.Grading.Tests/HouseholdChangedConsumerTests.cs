using System.Collections.Concurrent;
using FanPin.Grading.Domain;
using FanPin.Grading.Tests.Support;
using FanPin.IntegrationEvents;
using FanPin.Messaging;
using FanPin.Messaging.Hosting;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WarningGrade = FanPin.Grading.Domain.WarningGrade;

namespace FanPin.Grading.Tests;

/// <summary>
/// The registry's HouseholdChanged through grading's own consumer registration on an in-memory bus: a burst with
/// redeliveries and out-of-order versions ends on each household's newest version, once per event (inbox), and
/// delivering the whole burst again changes nothing.
/// </summary>
public sealed class HouseholdChangedConsumerTests(GradingBusHost host) : IClassFixture<GradingBusHost>, IAsyncLifetime
{
    private const string Village = "620102013001";
    private readonly ConsumedCounter _consumed = new();
    private IBusControl Bus => host.Services.GetRequiredService<IBusControl>();

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Bus.ConnectConsumeObserver(_consumed);
        await Bus.StartAsync();
    }

    /// <inheritdoc />
    public Task DisposeAsync() => Bus.StopAsync();

    [Fact]
    public async Task A_burst_with_redeliveries_applies_each_households_newest_version_once_and_redelivering_it_changes_nothing()
    {
        var households = Enumerable.Range(0, 30).Select(_ => Guid.CreateVersion7()).ToList();
        var now = DateTimeOffset.UtcNow;
        // Version 2 (lost labour: grade I); then version 1 (partial labour: III), taken later but older by the registry's version.
        var newer = households.Select(h => Changed(h, 2, now, "Lost", "None")).ToList();
        var older = households.Select(h => Changed(h, 1, now.AddMinutes(1), "Partial", "None")).ToList();
        List<HouseholdChanged> burst = [.. newer, .. newer.Take(10), .. older];
        var ids = burst.Select(e => e.EventId).Distinct().ToArray();

        await PublishAndWait(burst, deliveries: burst.Count);

        Assert.Equal(ids.Length, await Inboxed(ids));
        var facts = await host.Db(db => db.HouseholdFacts.AsNoTracking().Where(f => f.RegionCode == Village).ToDictionaryAsync(f => f.HouseholdId));
        Assert.Equal(households.Order(), facts.Keys.Order());
        Assert.All(facts.Values, f => Assert.Equal((2L, (WarningGrade?)WarningGrade.One, 1, 0), (f.RegistryVersion!.Value, f.Grade, f.MembersLost, f.MembersPartial)));
        // The county marks the risks eliminated (no registry version: ordered by time): the warnings are cleared. The
        // version-2 snapshots are not older by version than what grading holds, so only the inbox keeps their
        // redelivery from raising the warnings again.
        var eliminated = households.Select(h => new RiskEliminated { OccurredAt = now.AddMinutes(2), RegionCode = Village, HouseholdId = h, CaseId = Guid.NewGuid() }).ToList();
        await PublishAndWait(eliminated, deliveries: eliminated.Count);
        var before = await State();
        Assert.Equal((households.Count, 0L), (before.Warnings, before.Open));

        await PublishAndWait(burst, deliveries: 2 * burst.Count);

        Assert.Equal(before, await State());
        Assert.Equal(ids.Length, await Inboxed(ids));
        Assert.Empty(_consumed.Faults);
    }

    private async Task PublishAndWait<T>(IEnumerable<T> events, int deliveries) where T : IntegrationEvent
    {
        foreach (var e in events)
        {
            await Bus.Publish(e);
        }
        await Grpc.MessagingTests.Eventually(() => Task.FromResult(_consumed.Of<T>() >= deliveries || !_consumed.Faults.IsEmpty),
            $"{deliveries} {typeof(T).Name} consumed");
        Assert.Empty(_consumed.Faults);
        Assert.Equal(deliveries, _consumed.Of<T>());
    }

    /// <summary>What a redelivery must not move: the households' rows, and the counts of what grading wrote about them.</summary>
    private Task<(string Facts, long Warnings, long Open, long Logged, long Changes, long Staged)> State() => host.Db(async db =>
    {
        var facts = await db.HouseholdFacts.AsNoTracking().Where(f => f.RegionCode == Village).OrderBy(f => f.HouseholdId)
            .Select(f => $"{f.HouseholdId} {f.RegistryVersion} {f.RegistryAsOf:O} {f.UpdatedAt:O} {f.Grade} {f.GradeVersion} {f.OpenWarningId}").ToListAsync();
        return (string.Join('\n', facts),
            await host.Scalar<long>($"SELECT count(*) FROM warnings WHERE region_code = '{Village}'"),
            await host.Scalar<long>($"SELECT count(*) FROM warnings WHERE region_code = '{Village}' AND status <> {(int)WarningStatus.Cleared}"),
            await host.Scalar<long>($"SELECT count(*) FROM warning_log WHERE region_code = '{Village}'"),
            await host.Scalar<long>($"SELECT count(*) FROM grade_changes g JOIN household_facts f USING (household_id) WHERE f.region_code = '{Village}'"),
            await host.Scalar<long>($"SELECT count(*) FROM outbox_message o JOIN household_facts f ON o.partition_key = replace(f.household_id::text, '-', '') WHERE f.region_code = '{Village}'"));
    });

    private Task<long> Inboxed(Guid[] ids) => host.Db(db =>
        db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM inbox_message WHERE consumer = 'grading.HouseholdChanged' AND event_id = ANY({0})", [ids]).SingleAsync());

    private static HouseholdChanged Changed(Guid household, long version, DateTimeOffset at, params string[] labour) => new()
    {
        OccurredAt = at, RegionCode = Village, HouseholdId = household, ChangedFields = ["members"], Version = version,
        Household = new HouseholdSnapshot
        {
            Version = version, Category = "PovertyAlleviated", MinimumLivingGuarantee = false, ExtremePovertySupport = false, Status = "Monitored",
            MonitoringType = "UnstablePostPoverty", RiskTypes = ["Illness"], MemberCount = labour.Length, Dissolved = false,
            Members = labour.Select((ability, i) => new RegistryMember
            {
                MemberId = Guid.NewGuid(), IdNumberHash = new string('a', 64), Relation = i == 0 ? "Head" : "Child", LabourAbility = ability, Health = "Healthy",
                Schooling = "NotInSchool", BirthDate = new DateOnly(1980 + i * 30, 1, 1), MedicalInsured = true, PensionInsured = true,
            }).ToList(),
        },
    };

    /// <summary>Counts deliveries per event type whose consumption finished (a batch's messages finish with their batch's commit).</summary>
    private sealed class ConsumedCounter : IConsumeObserver
    {
        private readonly ConcurrentDictionary<Type, int> _counts = new();

        public int Of<T>() => _counts.GetValueOrDefault(typeof(T));

        public ConcurrentQueue<Exception> Faults { get; } = new();

        public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context) where T : class
        {
            if (context.Message is IntegrationEvent)
            {
                _counts.AddOrUpdate(typeof(T), 1, (_, n) => n + 1);
            }
            return Task.CompletedTask;
        }

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class
        {
            Faults.Enqueue(exception);
            return Task.CompletedTask;
        }
    }
}

/// <summary>Grading's services with its consumers, as <c>AddGrading</c> registers them, on MassTransit's in-memory bus (started by the tests).</summary>
public sealed class GradingBusHost : GradingHost
{
    /// <inheritdoc />
    protected override void ConfigureServices(IServiceCollection services) => services.AddMassTransit(bus =>
    {
        new FanPinMessagingBuilder(bus, new MessagingOptions { ServiceName = GradingServices.ServiceName, BrokerUri = new Uri("loopback://localhost/") })
            .AddGradingConsumers();
        bus.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
    });
}
