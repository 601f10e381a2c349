using FanPin.Contracts.Registry.V1;
using FanPin.Grpc;
using Google.Rpc;

namespace FanPin.Registry.Tests.Grpc;

/// <summary>The registry server shared by the gRPC test classes (they run one after another, on one server).</summary>
[CollectionDefinition(Name)]
public sealed class RegistryServerCollection : ICollectionFixture<RegistryServer>
{
    /// <summary>Collection name.</summary>
    public const string Name = "registry server";
}

/// <summary>Request builders and status assertions for the gRPC tests.</summary>
internal static class GrpcTestKit
{
    /// <summary>A valid member as a request gives it.</summary>
    public static MemberInput Member(string name, Relation relation, string? idNumber = null, LabourAbility labour = LabourAbility.Full) => new()
    {
        Name = name,
        IdNumber = idNumber ?? RegistryFixture.NewIdNumber(),
        Relation = relation,
        LabourAbility = labour,
        Health = HealthCondition.Healthy,
        Schooling = SchoolingStage.NotInSchool,
        EmploymentLocation = EmploymentLocation.InsideCounty,
        EmploymentMonths = 8,
        MedicalInsured = true,
        PensionInsured = true,
    };

    /// <summary>A household of the given members in <paramref name="village"/>.</summary>
    public static CreateHouseholdRequest Household(string village, params MemberInput[] members)
    {
        var request = new CreateHouseholdRequest { RegionCode = village, Category = HouseholdCategory.Ordinary };
        request.Members.AddRange(members);
        return request;
    }

    /// <summary>A date on the wire.</summary>
    public static CalendarDate Date(int year, int month, int day) => new() { Year = year, Month = month, Day = day };

    /// <summary>A helper as a request gives it.</summary>
    public static ResponsibleHelperInput Helper => new() { Name = "刘帮扶", Phone = "13912345678", Organisation = "城关区农业农村局" };

    /// <summary>The call fails with <paramref name="code"/>; returns the error for further checks.</summary>
    public static async Task<RpcException> Fails(StatusCode code, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(ex.StatusCode == code, $"expected {code}, got {ex.StatusCode}: {ex.Status.Detail}");
        return ex;
    }

    /// <summary>The fields named by an INVALID_ARGUMENT's BadRequest detail.</summary>
    public static string[] Fields(RpcException ex) =>
        (ex.GetDetail<BadRequest>() ?? throw new InvalidOperationException($"no BadRequest detail in {ex.Status}")).FieldViolations.Select(v => v.Field).ToArray();

    /// <summary>The current state a FAILED_PRECONDITION names (ErrorInfo metadata <c>current_state</c>).</summary>
    public static string CurrentState(RpcException ex) =>
        (ex.GetDetail<ErrorInfo>() ?? throw new InvalidOperationException($"no ErrorInfo detail in {ex.Status}")).Metadata["current_state"];
}
