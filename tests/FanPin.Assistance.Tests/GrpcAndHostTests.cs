using System.Net;
using System.Security.Cryptography;
using FanPin.Assistance.Grpc;
using FanPin.Grpc;
using FanPin.Grpc.Testing;
using FanPin.ServiceDefaults.Authentication;
using FanPin.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Pb = FanPin.Contracts.Assistance.V1;

namespace FanPin.Assistance.Tests;

/// <summary>The gRPC adapter on the real use cases and database: parsing, mapping, errors.</summary>
public sealed class GrpcAdapterTests(AssistanceFixture f) : IClassFixture<AssistanceFixture>
{
    private async Task<T> Call<T>(Caller caller, Func<AssistanceGrpcService, ServerCallContext, Task<T>> call)
    {
        await using var scope = f.Services.CreateAsyncScope();
        return await call(new AssistanceGrpcService(scope.ServiceProvider), new TestServerCallContext { Caller = caller });
    }

    [Fact]
    public async Task Warning_to_plan_to_list_over_the_api()
    {
        f.Clock.SetToday(new DateOnly(2025, 3, 3));
        var household = Guid.NewGuid().ToString();
        var warning = new Pb.RecordWarningRequest
        {
            WarningId = Guid.NewGuid().ToString(), HouseholdId = household, RegionCode = AssistanceFixture.Village, Grade = Pb.WarningGrade.One,
            Category = Pb.HouseholdCategory.PovertyAlleviated, RiskTypes = { Pb.RiskType.Schooling },
            MemberLabourAbilities = { Pb.LabourAbility.Lost, Pb.LabourAbility.None },
        };
        var recorded = await Call(AssistanceFixture.County, (s, c) => s.RecordWarning(warning, c));
        Assert.Contains(recorded.Recommendations, r => r.MeasureType.Code == "education.student-aid" && r.Answers.Contains(Pb.RiskType.Schooling));
        Assert.Contains(recorded.Recommendations, r => r.MeasureType.Code == "social-security.extreme-poverty" && r.Answers.Contains(Pb.RiskType.LackOfLabour));
        Assert.DoesNotContain(recorded.Recommendations, r => r.MeasureType.RequiresLabour);

        var confirmed = await Call(AssistanceFixture.Township, (s, c) => s.ConfirmPlan(new Pb.ConfirmPlanRequest
        {
            HouseholdId = household, Measures = { new Pb.PlannedMeasure { MeasureCode = "education.student-aid", DueOn = "2025-03-20", AmountFen = 250_000 } },
        }, c));
        Assert.Equal(1, confirmed.Plan.Version);
        var task = Assert.Single(confirmed.Plan.Tasks);
        Assert.Equal(("2025-03-20", Pb.AssigneeKind.Department, "education", Pb.TaskStatus.Planned), (task.DueOn, task.AssigneeKind, task.Assignee, task.Status));

        var list = await Call(new Caller("edu", CallerRole.Department, RegionPrefix.Parse("620102"), "education"), (s, c) => s.ListTasks(new Pb.ListTasksRequest(), c));
        Assert.Contains(list.Tasks, t => t.TaskId == task.TaskId);
        var water = await Call(new Caller("water", CallerRole.Department, RegionPrefix.Parse("620102"), "water"), (s, c) => s.ListTasks(new Pb.ListTasksRequest(), c));
        Assert.DoesNotContain(water.Tasks, t => t.TaskId == task.TaskId);

        var payout = await Call(AssistanceFixture.Township, (s, c) => s.CalculateInsurancePayout(new Pb.CalculateInsurancePayoutRequest { RegionCode = AssistanceFixture.Village, PerCapitaIncomeFen = 500_000, Persons = 2 }, c));
        Assert.Equal((150_000, 65_000, 430_000, "0.10"), (payout.GapPerPersonFen, payout.SharePerPersonFen, payout.TotalFen, payout.ShareOfLinePerPerson));
    }

    [Fact]
    public async Task Malformed_fields_are_named_and_a_missing_token_is_unauthenticated()
    {
        var bad = await Assert.ThrowsAsync<ValidationFailedException>(() => Call(AssistanceFixture.County, (s, c) => s.ConfirmPlan(new Pb.ConfirmPlanRequest
        {
            HouseholdId = "not-a-uuid", Measures = { new Pb.PlannedMeasure { MeasureCode = "x", DueOn = "20/03/2025" } },
        }, c)));
        Assert.Equal(["household_id", "measures[0].due_on"], bad.Violations.Select(v => v.Field));
        await using var scope = f.Services.CreateAsyncScope();
        var ex = await Assert.ThrowsAsync<RpcException>(() => new AssistanceGrpcService(scope.ServiceProvider).GetPlan(new Pb.GetPlanRequest(), new TestServerCallContext()));
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
    }
}

/// <summary>A database of the run's servers for the host test.</summary>
public sealed class EmptyDatabase : IsolatedInfrastructure;

/// <summary>The real host: start-up migration and catalogue seed, health.</summary>
public sealed class HostTests(EmptyDatabase infrastructure) : IClassFixture<EmptyDatabase>
{
    [Fact]
    public async Task The_service_migrates_seeds_the_catalogue_and_reports_healthy()
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            foreach (var (key, value) in infrastructure.ConnectionStringsFor(AssistanceServices.DatabaseName))
            {
                b.UseSetting(key, value);
            }
            b.UseSetting("Auth:SigningKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        });
        using var http = factory.CreateClient();
        var (status, report) = await HealthAsync(http);
        for (var attempt = 0; status != HttpStatusCode.OK && attempt < 300; attempt++)
        {
            await Task.Delay(200); // the bus connects in the background
            (status, report) = await HealthAsync(http);
        }
        Assert.True(status == HttpStatusCode.OK, report);
        Assert.Contains("\"postgres\":{\"status\":\"Healthy\"", report, StringComparison.Ordinal);
        Assert.Contains("\"rabbitmq\":{\"status\":\"Healthy\"", report, StringComparison.Ordinal);
        await using var connection = new Npgsql.NpgsqlConnection(infrastructure.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM measure_types WHERE is_current AND version = 1", connection);
        Assert.Equal((long)Domain.DefaultCatalogue.Measures.Count, (long)(await command.ExecuteScalarAsync())!);
        await using var journal = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_tables WHERE tablename IN ('domain_events', 'outbox_message', 'inbox_message')", connection);
        Assert.Equal(2L, (long)(await journal.ExecuteScalarAsync())!); // the journal is gone, the outbox and inbox are there
    }

    private static async Task<(HttpStatusCode Status, string Report)> HealthAsync(HttpClient http)
    {
        using var health = await http.GetAsync("/health");
        return (health.StatusCode, await health.Content.ReadAsStringAsync());
    }
}
