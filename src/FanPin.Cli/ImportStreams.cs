extern alias monitoring;

using System.Globalization;
using FanPin.Cli.Datagen;
using FanPin.Grpc;
using monitoring::FanPin.Monitoring.Infrastructure;
using Mon = FanPin.Contracts.Monitoring.V1;
using Reg = FanPin.Contracts.Registry.V1;

namespace FanPin.Cli;

/// <summary>
/// Streams files to the services' import RPCs: regions.csv → RegionService.ImportRegions, households.csv →
/// HouseholdService.ImportHouseholds (client stream, batches of at most 200,000 households), a feed CSV →
/// FeedService.ImportFeed (client stream, read with monitoring's own FeedCsv parser). Files are read lazily.
/// </summary>
public static class ImportStreams
{
    /// <summary>Most households in one ImportHouseholds batch (the registry's limit).</summary>
    public const int HouseholdBatchSize = 200_000;

    /// <summary>Regions per ImportRegions request: under the registry's limit (200,000) and a 4 MiB message.</summary>
    public const int RegionBatchSize = 50_000;

    private const int RowsPerMessage = 1000;

    /// <summary>A channel to <paramref name="address"/> calling with <paramref name="token"/>.</summary>
    public static GrpcChannel Channel(string address, string token) =>
        GrpcChannel.ForAddress(new Uri(address), new GrpcChannelOptions { MaxReceiveMessageSize = null }.WithBearerToken(token));

    /// <summary>
    /// Waits until monitoring knows the registry's households (it learns them from the registry's events, a moment
    /// after the import): a feed row naming a person monitoring does not know yet is refused as unmatched, and a
    /// feed sent again is answered with its first outcome. Probes up to <paramref name="sample"/> households of
    /// <paramref name="regionPrefix"/> with GetIncomeSummary (NOT_FOUND = not known yet); true when all are known.
    /// </summary>
    public static async Task<bool> WaitUntilMonitoringKnowsHouseholdsAsync(GrpcChannel registry, GrpcChannel monitoring, string regionPrefix, int sample,
        TimeSpan timeout, Action<int, int>? progress = null, CancellationToken ct = default)
    {
        var households = new Reg.HouseholdService.HouseholdServiceClient(registry);
        var ids = new List<string>();
        var page = "";
        do
        {
            var reply = await households.ListHouseholdsAsync(new Reg.ListHouseholdsRequest { RegionPrefix = regionPrefix, PageSize = 500, PageToken = page },
                cancellationToken: ct).ResponseAsync.ConfigureAwait(false);
            ids.AddRange(reply.Households.Select(h => h.Id));
            page = reply.NextPageToken;
        }
        while (page.Length > 0 && ids.Count < sample);
        var summaries = new Mon.RecordService.RecordServiceClient(monitoring);
        var pending = ids.Take(sample).ToList();
        var started = DateTime.UtcNow;
        while (true)
        {
            var still = new List<string>();
            foreach (var id in pending)
            {
                try
                {
                    await summaries.GetIncomeSummaryAsync(new Mon.GetIncomeSummaryRequest { HouseholdId = id }, cancellationToken: ct).ResponseAsync.ConfigureAwait(false);
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
                {
                    still.Add(id);
                }
            }
            progress?.Invoke(Math.Min(ids.Count, sample) - still.Count, Math.Min(ids.Count, sample));
            if (still.Count == 0)
            {
                return true;
            }
            if (DateTime.UtcNow - started > timeout)
            {
                return false;
            }
            pending = still;
            await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Imports regions.csv (columns code,name[,level][,parent_code]); returns inserted, renamed, unchanged.</summary>
    public static async Task<(int Inserted, int Renamed, int Unchanged)> ImportRegionsAsync(GrpcChannel channel, string file, CancellationToken ct = default)
    {
        var client = new Reg.RegionService.RegionServiceClient(channel);
        var totals = (Inserted: 0, Renamed: 0, Unchanged: 0);
        using var reader = new StreamReader(file);
        var header = (await reader.ReadLineAsync(ct).ConfigureAwait(false) ?? "").Split(',');
        int codeAt = Array.IndexOf(header, "code"), nameAt = Array.IndexOf(header, "name"), parentAt = Array.IndexOf(header, "parent_code");
        if (codeAt < 0 || nameAt < 0)
        {
            throw new FormatException($"{file}: the header needs the columns code and name");
        }
        var request = new Reg.ImportRegionsRequest();
        async Task SendAsync()
        {
            var response = await client.ImportRegionsAsync(request, cancellationToken: ct).ResponseAsync.ConfigureAwait(false);
            totals = (totals.Inserted + response.Inserted, totals.Renamed + response.Renamed, totals.Unchanged + response.Unchanged);
            request = new Reg.ImportRegionsRequest();
        }
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            var cells = line.Split(',');
            request.Regions.Add(new Reg.Region
            {
                Code = cells[codeAt],
                Name = cells[nameAt],
                ParentCode = parentAt >= 0 && parentAt < cells.Length ? cells[parentAt] : "",
            });
            // Regions are listed parents first, so every batch finds its parents imported or in itself.
            if (request.Regions.Count == RegionBatchSize)
            {
                await SendAsync().ConfigureAwait(false);
            }
        }
        if (request.Regions.Count > 0)
        {
            await SendAsync().ConfigureAwait(false);
        }
        return totals;
    }

    /// <summary>Outcome of importing households.csv over one or more batches.</summary>
    public sealed record HouseholdsImported(int Batches, int Received, int Accepted, int Rejected, IReadOnlyList<Reg.RowError> FirstErrors);

    /// <summary>
    /// Imports households.csv in batches of <see cref="HouseholdBatchSize"/> households, batch ids
    /// <paramref name="batchPrefix"/>-1, -2, ... (idempotent: a batch sent again is replayed, not imported twice).
    /// </summary>
    public static async Task<HouseholdsImported> ImportHouseholdsAsync(GrpcChannel channel, string file, string batchPrefix,
        Action<int>? progress = null, CancellationToken ct = default)
    {
        var client = new Reg.HouseholdService.HouseholdServiceClient(channel);
        int batches = 0, received = 0, accepted = 0, rejected = 0, sent = 0;
        var errors = new List<Reg.RowError>();
        AsyncClientStreamingCall<Reg.ImportHouseholdsRequest, Reg.ImportHouseholdsResponse>? call = null;
        var inBatch = 0;
        var answered = false;
        var message = new Reg.ImportHouseholdsRequest();
        async Task FlushAsync()
        {
            if (message.Rows.Count > 0)
            {
                if (!answered)
                {
                    try
                    {
                        await call!.RequestStream.WriteAsync(message).ConfigureAwait(false);
                    }
                    catch (InvalidOperationException)
                    {
                        // The call has ended: a batch id the registry imported before is answered with its first outcome
                        // as soon as it is read, before the rest is sent. The response (awaited below) says what happened.
                        answered = true;
                    }
                }
                message = new Reg.ImportHouseholdsRequest { BatchId = message.BatchId };
            }
        }
        async Task FinishAsync()
        {
            await FlushAsync().ConfigureAwait(false);
            if (!answered)
            {
                try
                {
                    await call!.RequestStream.CompleteAsync().ConfigureAwait(false);
                }
                catch (InvalidOperationException)
                {
                    // ended already (see FlushAsync)
                }
            }
            answered = false;
            var response = await call!;
            call.Dispose();
            call = null;
            received += response.Received;
            accepted += response.Accepted;
            rejected += response.Rejected;
            errors.AddRange(response.Errors.Take(Math.Max(0, 100 - errors.Count)));
        }
        await using var stream = File.OpenRead(file);
        await foreach (var row in HouseholdCsv.ReadAsync(stream, ct).ConfigureAwait(false))
        {
            if (call is null)
            {
                batches++;
                call = client.ImportHouseholds(cancellationToken: ct);
                message = new Reg.ImportHouseholdsRequest { BatchId = $"{batchPrefix}-{batches}" };
                inBatch = 0;
            }
            message.Rows.Add(ToProto(row));
            inBatch++;
            sent++;
            if (message.Rows.Count == RowsPerMessage)
            {
                await FlushAsync().ConfigureAwait(false);
                progress?.Invoke(sent);
            }
            if (inBatch == HouseholdBatchSize)
            {
                await FinishAsync().ConfigureAwait(false);
            }
        }
        if (call is not null)
        {
            await FinishAsync().ConfigureAwait(false);
        }
        progress?.Invoke(sent);
        return new HouseholdsImported(batches, received, accepted, rejected, errors);
    }

    /// <summary>A households.csv household as the import message; an unknown enum name becomes "unspecified" (refused by the registry, naming the field).</summary>
    public static Reg.ImportHouseholdRow ToProto(HouseholdCsvRow row)
    {
        var proto = new Reg.ImportHouseholdRow
        {
            RowNumber = row.Household,
            RegionCode = row.RegionCode,
            Category = Parse<Reg.HouseholdCategory>(row.Category),
            MinimumLivingGuarantee = row.MinimumLivingGuarantee,
            ExtremePovertySupport = row.ExtremePovertySupport,
        };
        foreach (var m in row.Members)
        {
            var member = new Reg.MemberInput
            {
                Name = m.Name,
                IdNumber = m.IdNumber,
                Relation = Parse<Reg.Relation>(m.Relation),
                LabourAbility = Parse<Reg.LabourAbility>(m.LabourAbility),
                Health = Parse<Reg.HealthCondition>(m.Health),
                Schooling = Parse<Reg.SchoolingStage>(m.Schooling),
                EmploymentLocation = Parse<Reg.EmploymentLocation>(m.EmploymentLocation),
                EmploymentMonths = m.EmploymentMonths,
                MedicalInsured = m.MedicalInsured,
                PensionInsured = m.PensionInsured,
            };
            if (m.DisabilityGrade is { } grade)
            {
                member.DisabilityGrade = grade;
            }
            proto.Members.Add(member);
        }
        return proto;
    }

    private static T Parse<T>(string text) where T : struct, Enum =>
        !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) && Enum.TryParse<T>(text, ignoreCase: true, out var value) ? value : default;

    /// <summary>Ends a back-fill of <paramref name="region"/>: monitoring evaluates the households its feeds held, once each.</summary>
    public static async Task<int> EndBackfillAsync(GrpcChannel channel, string region, CancellationToken ct = default)
    {
        var client = new Mon.FeedService.FeedServiceClient(channel);
        var response = await client.EndBackfillAsync(new Mon.EndBackfillRequest { Region = region }, cancellationToken: ct).ResponseAsync.ConfigureAwait(false);
        return response.HouseholdsReleased;
    }

    /// <summary>
    /// Imports one feed CSV (FeedCsv's format) through ImportFeed. A row FeedCsv cannot read (a cell that is not a
    /// number, a broken line) has no place on the wire: it is not sent but added to <paramref name="unreadable"/> as
    /// Invalid with its reason, so it is reported, never dropped silently. With <paramref name="backfill"/> the feed is
    /// part of a back-fill: monitoring holds the households it touches until <see cref="EndBackfillAsync"/>.
    /// </summary>
    public static async Task<Mon.ImportFeedResponse> ImportFeedAsync(GrpcChannel channel, string file, string feedId, string department, string period, string region,
        ICollection<Mon.RowRejection> unreadable, bool backfill, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(unreadable);
        var client = new Mon.FeedService.FeedServiceClient(channel);
        using var call = client.ImportFeed(cancellationToken: ct);
        await call.RequestStream.WriteAsync(new Mon.ImportFeedRequest
        {
            Header = new Mon.ImportFeedHeader { FeedId = feedId, Department = department, Period = period, Region = region, Backfill = backfill },
        }).ConfigureAwait(false);
        var batch = new Mon.FeedRowBatch();
        await using (var stream = File.OpenRead(file))
        {
            await foreach (var row in FeedCsv.ReadAsync(stream, ct).ConfigureAwait(false))
            {
                if (row.ParseError is { } reason)
                {
                    unreadable.Add(new Mon.RowRejection { RowNumber = row.RowNumber, Outcome = Mon.FeedRowOutcome.Invalid, Reason = reason });
                    continue;
                }
                batch.Rows.Add(ToProto(row));
                if (batch.Rows.Count == RowsPerMessage)
                {
                    await call.RequestStream.WriteAsync(new Mon.ImportFeedRequest { Rows = batch }).ConfigureAwait(false);
                    batch = new Mon.FeedRowBatch();
                }
            }
        }
        if (batch.Rows.Count > 0)
        {
            await call.RequestStream.WriteAsync(new Mon.ImportFeedRequest { Rows = batch }).ConfigureAwait(false);
        }
        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        return await call.ResponseAsync.ConfigureAwait(false);
    }

    /// <summary>A read feed row as the wire row.</summary>
    public static Mon.FeedRow ToProto(monitoring::FanPin.Monitoring.Domain.FeedRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var proto = new Mon.FeedRow
        {
            RowNumber = row.RowNumber, IdNumber = row.IdNumber ?? "", Item = row.Item ?? "", Month = row.Month ?? "", Value = row.Value ?? "",
            Reference = row.Reference ?? "",
        };
        if (row.AmountFen is { } amount)
        {
            proto.AmountFen = amount;
        }
        return proto;
    }
}
