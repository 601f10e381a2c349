extern alias cli;

using System.Globalization;
using FanPin.Contracts.Monitoring.V1;
using FanPin.Monitoring.Tests.Support;
using CliArguments = cli::FanPin.Cli.Arguments;
using FeedImportCommand = cli::FanPin.Cli.FeedImportCommand;

namespace FanPin.Monitoring.Tests.Grpc;

/// <summary><c>fanpin feed import</c> against a real monitoring host: the CSV streams over gRPC, bad rows come back by number and reason.</summary>
[Collection(MonitoringServerCollection.Name)]
public class CliFeedImportTests(MonitoringServer server)
{
    [Fact]
    public async Task The_cli_streams_a_csv_feed_to_the_service_and_prints_each_rejected_row_with_its_reason()
    {
        var county = TestData.NewCounty();
        var village = TestData.Village(county);
        var member = TestData.NewId();
        var household = await server.RegisterAsync(village, member);
        var month = MonitoringServer.LastMonth;
        var file = Path.Combine(Path.GetTempPath(), $"fanpin-cli-feed-{Guid.NewGuid():N}.csv");
        var rejectionsFile = file + ".rejections.csv";
        await File.WriteAllLinesAsync(file,
        [
            "id_number,item,month,amount_fen,value,reference",
            $"{member.Value},medical_self_paid,{month},80000,,bill-1",
            $"{TestData.WithWrongCheckDigit(member)},medical_self_paid,{month},1000,,bill-2",
            $"{member.Value},medical_self_paid,{month},-5,,bill-3",
            $"{TestData.NewId().Value},medical_self_paid,{month},2000,,bill-4",
            $"{member.Value},medical_self_paid,{month},abc,,bill-5",
        ]);
        try
        {
            string[] Args(string feedId) =>
            [
                "--department", "medical-insurance", "--month", MonitoringServer.CurrentMonth, "--file", file, "--region", county, "--feed-id", feedId,
                "--address", server.Address.ToString(), "--token", server.TokenFor(Callers.Department("medical-insurance", county)), "--rejections", rejectionsFile,
            ];
            var output = new StringWriter(CultureInfo.InvariantCulture);
            Assert.Equal(0, await FeedImportCommand.RunAsync(new CliArguments(Args("cli-1")), output, plainLines: true));
            var text = output.ToString();
            Assert.Contains("] 5/5 rows  committed", text, StringComparison.Ordinal);            // the progress bar's last line
            Assert.Contains("applied 1,", text, StringComparison.Ordinal);
            Assert.Contains("invalid 3,", text, StringComparison.Ordinal);                       // two the service found, one the CSV reader could not read
            Assert.Contains("unknown person 1,", text, StringComparison.Ordinal);
            Assert.Contains("rejected rows: 4", text, StringComparison.Ordinal);
            Assert.Matches(@"row 2: invalid: .*check", text);
            Assert.Matches(@"row 3: invalid: .*negative", text);
            Assert.Contains("row 4: unknown person:", text, StringComparison.Ordinal);
            Assert.Contains("row 5: invalid: amount_fen 'abc' is not a whole number of fen", text, StringComparison.Ordinal);
            Assert.Equal(["row,outcome,reason", "2,invalid", "3,invalid", "4,unknown person", "5,invalid"],
                (await File.ReadAllLinesAsync(rejectionsFile)).Select(l => l.StartsWith("row", StringComparison.Ordinal) ? l : string.Join(',', l.Split(',').Take(2))));

            // The service recorded the valid row.
            using var countyClient = server.As(Callers.County(county));
            var records = await countyClient.Records.ListRecordsAsync(new ListRecordsRequest { HouseholdId = household.ToString() });
            Assert.Equal(80_000, Assert.Single(records.Records).AmountFen);

            // The same feed again: nothing new is applied.
            var again = new StringWriter(CultureInfo.InvariantCulture);
            Assert.Equal(0, await FeedImportCommand.RunAsync(new CliArguments(Args("cli-1")), again, plainLines: true));
            Assert.Contains("imported before", again.ToString(), StringComparison.Ordinal);
            Assert.Contains("applied 0,", again.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
            File.Delete(rejectionsFile);
        }
    }
}
