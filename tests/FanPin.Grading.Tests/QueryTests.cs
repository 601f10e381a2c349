using FanPin.Grading.Application.Warnings;
using FanPin.Grading.Domain;
using FanPin.Grading.Tests.Support;
using FanPin.ServiceDefaults.Authentication;

namespace FanPin.Grading.Tests;

/// <summary>Warnings by region, grade and status in pages; the region scope on every read.</summary>
public sealed class QueryTests(GradingHost host) : IClassFixture<GradingHost>
{
    private Task<ListWarningsResult> List(Caller caller, ListWarningsRequest request) =>
        host.Run<ListWarnings, ListWarningsResult>(u => u.HandleAsync(caller, request));

    [Fact]
    public async Task Warnings_are_listed_by_region_grade_and_status_in_stable_pages()
    {
        var ones = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ones.Add(await host.Graded("620102001001", WarningGrade.One));
            await host.Graded("620102002001", WarningGrade.Three);
            await host.Graded("620103001001", WarningGrade.One);
        }
        var county = Callers.County("620102");
        var pages = new List<ListWarningsResult> { await List(county, new ListWarningsRequest(Grades: [WarningGrade.One], PageSize: 2)) };
        while (pages[^1].NextPageToken is { } token)
        {
            // A warning raised meanwhile (newer) does not shift the pages being read.
            await host.Graded("620102001001", WarningGrade.One);
            pages.Add(await List(county, new ListWarningsRequest(Grades: [WarningGrade.One], PageSize: 2, PageToken: token)));
        }
        var listed = pages.SelectMany(p => p.Warnings).ToList();
        Assert.Equal([2, 2, 1], pages.Select(p => p.Warnings.Count));
        Assert.Equal(ones.AsEnumerable().Reverse(), listed.Select(w => w.HouseholdId));
        Assert.All(listed, w => Assert.Equal((WarningGrade.One, "620102"), (w.Grade, w.RegionCode[..6])));

        var township = await List(Callers.Township("620102002"), new ListWarningsRequest());
        Assert.Equal(5, township.Warnings.Count);
        Assert.All(township.Warnings, w => Assert.Equal(WarningGrade.Three, w.Grade));
        var raised = await List(county, new ListWarningsRequest("620102002", Statuses: [WarningStatus.Raised]));
        Assert.Equal(5, raised.Warnings.Count);
        Assert.Empty((await List(county, new ListWarningsRequest("620102002", Statuses: [WarningStatus.Cleared]))).Warnings);
    }

    [Fact]
    public async Task Reads_stay_inside_the_callers_scope()
    {
        var household = await host.Graded("620103009001", WarningGrade.Two);
        var warning = await host.OpenWarning(household);
        var county = Callers.County("620102");
        await Assert.ThrowsAsync<AccessDeniedException>(() => List(county, new ListWarningsRequest("620103")));
        Assert.DoesNotContain((await List(county, new ListWarningsRequest())).Warnings, w => w.HouseholdId == household);
        await Assert.ThrowsAsync<NotFoundException>(() => host.Run<GetWarning, GetWarningResult>(u => u.HandleAsync(county, new GetWarningRequest(warning.Id.ToString()))));
        await Assert.ThrowsAsync<NotFoundException>(() => host.Run<GetHouseholdGradeHistory, GetHouseholdGradeHistoryResult>(u =>
            u.HandleAsync(county, new GetHouseholdGradeHistoryRequest(household.ToString()))));
        var visible = await host.Run<GetWarning, GetWarningResult>(u => u.HandleAsync(Callers.Downstream("6201"), new GetWarningRequest(warning.Id.ToString())));
        Assert.Equal(RuleIds.GradeTwoNoLabourTransferIncome, visible.Warning.Reason.RuleId);
    }

    [Fact]
    public async Task Bad_paging_arguments_are_named()
    {
        var county = Callers.County("620102");
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => List(county, new ListWarningsRequest("62x", PageSize: -1, PageToken: "garbage")));
        Assert.Equal(["region_prefix", "page_size", "page_token"], ex.Violations.Select(v => v.Field));
        // A token of another list is refused.
        await host.Graded("620102005001", WarningGrade.One);
        await host.Graded("620102005001", WarningGrade.One);
        var token = (await List(county, new ListWarningsRequest("620102005", PageSize: 1))).NextPageToken;
        Assert.NotNull(token);
        var wrong = await Assert.ThrowsAsync<ValidationFailedException>(() => host.Run<ListOverdueWarnings, ListOverdueWarningsResult>(u =>
            u.HandleAsync(county, new ListOverdueWarningsRequest(PageToken: token))));
        Assert.Equal("page_token", Assert.Single(wrong.Violations).Field);
    }
}
