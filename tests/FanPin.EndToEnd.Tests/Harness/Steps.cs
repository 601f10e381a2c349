using FanPin.Contracts.Monitoring.V1;
using FanPin.ServiceDefaults.Authentication;
using Grading = FanPin.Contracts.Grading.V1;
using Registry = FanPin.Contracts.Registry.V1;

namespace FanPin.EndToEnd.Tests.Harness;

/// <summary>Steps several scenarios share, each waiting for the wiring it depends on.</summary>
public static class Steps
{
    /// <summary>Registers a household as the county office and returns its id.</summary>
    public static async Task<string> RegisterAsync(Stack stack, Registry.CreateHouseholdRequest request)
    {
        var scope = request.RegionCode[..6];
        var office = stack.As(stack.Token(CallerRole.County, scope));
        var reply = await Eventually.Step($"registry CreateHousehold in {request.RegionCode}", async () => await office.Households.CreateHouseholdAsync(request));
        return reply.Household.Id;
    }

    /// <summary>Waits until monitoring knows the household (its read model is fed by the registry's events).</summary>
    public static Task KnownToMonitoringAsync(Stack stack, string householdId) =>
        Eventually.That("monitoring learns the registered household",
            "registry → monitoring: monitoring consumes HouseholdRegistered/MemberChanged (branch `monitoring`)",
            async () =>
            {
                var summary = await stack.Province.Records.GetIncomeSummaryAsync(new GetIncomeSummaryRequest { HouseholdId = householdId });
                return (summary.HouseholdId == householdId, $"summary of {summary.HouseholdId}");
            });

    /// <summary>Waits until monitoring's last evaluation of the household carries <paramref name="code"/>.</summary>
    public static Task<HouseholdEvaluation> SignalAsync(Stack stack, string householdId, string code) =>
        Eventually.Until($"monitoring signals {code}",
            "monitoring's evaluation worker (in monitoring itself)",
            async () =>
            {
                var reply = await stack.Province.Signals.GetHouseholdSignalsAsync(new GetHouseholdSignalsRequest { HouseholdId = householdId });
                var codes = reply.Evaluated ? string.Join(", ", reply.Evaluation.Signals.Select(s => s.Code)) : "(not evaluated)";
                return (reply.Evaluated && reply.Evaluation.Signals.Any(s => s.Code == code) ? reply.Evaluation : null, $"signals: {codes}");
            });

    /// <summary>Waits until grading holds <paramref name="grade"/> for the household and returns its history.</summary>
    public static Task<Grading.GetHouseholdGradeHistoryResponse> GradeAsync(Stack stack, string householdId, Grading.WarningGrade grade, string waitsFor) =>
        Eventually.Until($"grading grades the household {Name(grade)}", waitsFor,
            async () =>
            {
                var reply = await stack.Province.Warnings.GetHouseholdGradeHistoryAsync(new Grading.GetHouseholdGradeHistoryRequest { HouseholdId = householdId });
                return (reply.CurrentGrade == grade ? reply : null,
                    $"current grade {Name(reply.CurrentGrade)}; last reason {reply.Changes.FirstOrDefault()?.Reason.RuleId ?? "-"}");
            });

    /// <summary>The household's grade now (none when grading has not heard of it).</summary>
    public static async Task<Grading.WarningGrade> CurrentGradeAsync(Stack stack, string householdId)
    {
        try
        {
            return (await stack.Province.Warnings.GetHouseholdGradeHistoryAsync(new Grading.GetHouseholdGradeHistoryRequest { HouseholdId = householdId })).CurrentGrade;
        }
        catch (FanPin.Grpc.RpcException ex) when (ex.StatusCode == FanPin.Grpc.StatusCode.NotFound)
        {
            return Grading.WarningGrade.Unspecified;
        }
    }

    /// <summary>Imports one feed as the department (client stream: header, then rows).</summary>
    public static async Task<ImportFeedResponse> ImportFeedAsync(Stack stack, string department, string feedId, params FeedRow[] rows)
    {
        var clients = stack.As(stack.Token(CallerRole.Department, "62", department));
        return await Eventually.Step($"monitoring FeedService.ImportFeed as {department}", async () =>
        {
            using var call = clients.Feeds.ImportFeed(deadline: DateTime.UtcNow.AddSeconds(60));
            await call.RequestStream.WriteAsync(new ImportFeedRequest { Header = new ImportFeedHeader { FeedId = feedId, Department = department, Period = Households.Month(0), Region = "62" } });
            var batch = new FeedRowBatch();
            batch.Rows.Add(rows);
            await call.RequestStream.WriteAsync(new ImportFeedRequest { Rows = batch });
            await call.RequestStream.CompleteAsync();
            return await call;
        });
    }

    /// <summary>I, II, III or none.</summary>
    public static string Name(Grading.WarningGrade grade) => grade switch
    {
        Grading.WarningGrade.One => "I",
        Grading.WarningGrade.Two => "II",
        Grading.WarningGrade.Three => "III",
        _ => "none",
    };
}
