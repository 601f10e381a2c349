using FanPin.Grpc;
using FanPin.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Pb = FanPin.Contracts.Assistance.V1;

namespace FanPin.Assistance.Tests;

/// <summary>The whole host in process: bearer tokens, the transport's error mapping, the adapter and the database.</summary>
public sealed class EndToEndTests(EmptyDatabase infrastructure) : IClassFixture<EmptyDatabase>
{
    private const string SigningKey = "assistance-end-to-end-test-signing-key-0001";

    [Fact]
    public async Task Calls_with_tokens_reach_the_service_and_domain_errors_become_statuses()
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            foreach (var (key, value) in infrastructure.ConnectionStringsFor(AssistanceServices.DatabaseName))
            {
                b.UseSetting(key, value);
            }
            b.UseSetting("Auth:SigningKey", SigningKey);
        });
        _ = factory.Server;
        var issuer = new TokenIssuer(new FanPinAuthOptions { SigningKey = SigningKey });
        Pb.AssistanceService.AssistanceServiceClient Client(Caller caller)
        {
            var token = issuer.Issue(caller, TimeSpan.FromMinutes(5));
            var channel = GrpcChannel.ForAddress(factory.Server.BaseAddress, new GrpcChannelOptions
            {
                HttpHandler = factory.Server.CreateHandler(),
                BearerTokenProvider = _ => ValueTask.FromResult<string?>(token),
            });
            return new Pb.AssistanceService.AssistanceServiceClient(channel);
        }

        var county = Client(AssistanceFixture.County);
        var catalogue = await county.ListMeasureTypesAsync(new Pb.ListMeasureTypesRequest { Category = Pb.MeasureCategory.Insurance });
        Assert.Equal("insurance.anti-poverty", Assert.Single(catalogue.MeasureTypes).Code);

        var noWarning = await Assert.ThrowsAsync<RpcException>(async () => await county.ConfirmPlanAsync(new Pb.ConfirmPlanRequest
        {
            HouseholdId = Guid.NewGuid().ToString(), Measures = { new Pb.PlannedMeasure { MeasureCode = "water.repair" } },
        }));
        Assert.Equal(StatusCode.FailedPrecondition, noWarning.StatusCode);

        var invalid = await Assert.ThrowsAsync<RpcException>(async () => await county.CalculateInsurancePayoutAsync(new Pb.CalculateInsurancePayoutRequest { RegionCode = "62010200100", Persons = 1 }));
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("region_code", invalid.Status.Detail, StringComparison.Ordinal);

        var denied = await Assert.ThrowsAsync<RpcException>(async () => await Client(AssistanceFixture.County).UpsertMeasureTypeAsync(new Pb.UpsertMeasureTypeRequest { MeasureType = new Pb.MeasureType() }));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }
}
