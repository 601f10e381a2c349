using FanPin.Assistance.Application.Plans;
using FanPin.Assistance.Domain;
using FanPin.Assistance.Infrastructure;
using FanPin.IntegrationEvents;
using FanPin.Messaging.Inbox;
using FanPin.Policies;
using MassTransit;
using DomainGrade = FanPin.Assistance.Domain.WarningGrade;
using EventGrade = FanPin.IntegrationEvents.WarningGrade;

namespace FanPin.Assistance.Messaging;

/// <summary>What a warning event gives: the warning to store (or why none), and the names that were left out.</summary>
/// <param name="Warning">The warning to store; null when the event cannot be applied.</param>
/// <param name="SkippedRiskTypes">Risk type names assistance does not know, left out of the stored warning.</param>
/// <param name="NotApplicable">Why the event is not applied (null when <paramref name="Warning"/> is given).</param>
public sealed record WarningReading(WarningInput? Warning, IReadOnlyList<string> SkippedRiskTypes, string? NotApplicable);

/// <summary>
/// Reads grading's WarningRaised / WarningGradeChanged into the stored warning (pure). Names are matched exactly
/// (the registry's enum names). An unknown risk type is left out (the other risks still get measures); an event
/// whose household, village, labour abilities or category cannot be read is not applied, because measures fitted
/// on a guessed household would be wrong. A null category (grading does not know it yet) counts as Ordinary.
/// </summary>
public static class WarningReader
{
    /// <summary>Reads the fields common to both events.</summary>
    public static WarningReading Read(Guid warningId, Guid? householdId, string regionCode, EventGrade grade,
        IReadOnlyList<string> riskTypes, IReadOnlyList<string> memberLabourAbilities, string? householdCategory)
    {
        var skipped = riskTypes.Where(r => !IsName<RiskType>(r)).Distinct(StringComparer.Ordinal).ToList();
        WarningReading No(string why) => new(null, skipped, why);
        if (householdId is not { } household || household == Guid.Empty)
        {
            return No("the event names no household");
        }
        if (!RegionCode.TryParse(regionCode, out var region, out _) || region.Level != RegionLevel.Village)
        {
            return No($"region '{regionCode}' is not a 12-digit village code");
        }
        if (GradeOf(grade) is not { } domainGrade)
        {
            return No($"unknown grade '{grade}'");
        }
        if (memberLabourAbilities.Count == 0)
        {
            return No("the event gives no member's labour ability");
        }
        var unknownLabour = memberLabourAbilities.Where(l => !IsName<LabourAbility>(l)).Distinct(StringComparer.Ordinal).ToList();
        if (unknownLabour.Count > 0)
        {
            return No($"unknown labour ability {string.Join(", ", unknownLabour.Select(l => $"'{l}'"))}");
        }
        var category = HouseholdCategory.Ordinary;
        if (householdCategory is not null && !TryName(householdCategory, out category))
        {
            return No($"unknown household category '{householdCategory}'");
        }
        var risks = riskTypes.Where(IsName<RiskType>).Select(Parse<RiskType>).Distinct().Order().ToList();
        var labour = memberLabourAbilities.Select(Parse<LabourAbility>).ToList();
        return new WarningReading(new WarningInput(warningId, household, region, domainGrade, risks, labour, category), skipped, null);
    }

    /// <summary>The contract's grade (I, II, III) as the domain's.</summary>
    public static DomainGrade? GradeOf(EventGrade grade) => grade switch
    {
        EventGrade.I => DomainGrade.One,
        EventGrade.II => DomainGrade.Two,
        EventGrade.III => DomainGrade.Three,
        _ => null,
    };

    private static bool IsName<T>(string name) where T : struct, Enum => TryName<T>(name, out _);

    // Exact names only: Enum.TryParse would also take "3" or "Full, Partial".
    private static bool TryName<T>(string name, out T value) where T : struct, Enum
    {
        value = default;
        return Enum.GetNames<T>().Contains(name, StringComparer.Ordinal) && Enum.TryParse(name, ignoreCase: false, out value);
    }

    private static T Parse<T>(string name) where T : struct, Enum => Enum.Parse<T>(name, ignoreCase: false);
}

/// <summary>
/// Grading's <see cref="WarningRaised"/> → <see cref="RecordWarning.StoreAsync"/>: the household's latest warning
/// (risk types, labour, category) is stored and recommendations follow from it. Once per event (inbox); an older
/// event than the one stored changes nothing (grading's sequence). An event that cannot be applied is logged and
/// acknowledged (retrying cannot make it readable); a failure (database) throws and is never acknowledged.
/// </summary>
public sealed partial class WarningRaisedConsumer(AssistanceDbContext db, RecordWarning useCase, ILogger<WarningRaisedConsumer> logger)
    : IdempotentConsumer<WarningRaised, AssistanceDbContext>(db)
{
    /// <inheritdoc />
    protected override string ConsumerName => "assistance.WarningRaised";

    /// <inheritdoc />
    protected override Task HandleAsync(WarningRaised message, ConsumeContext<WarningRaised> context, CancellationToken cancellationToken) =>
        WarningConsumerLog.StoreAsync(useCase, logger, message.EventId, nameof(WarningRaised), message.Sequence,
            WarningReader.Read(message.WarningId, message.HouseholdId, message.RegionCode, message.Grade, message.RiskTypes, message.MemberLabourAbilities, message.HouseholdCategory),
            cancellationToken);
}

/// <summary>Grading's <see cref="WarningGradeChanged"/> → <see cref="RecordWarning.StoreAsync"/>, as <see cref="WarningRaisedConsumer"/>: the re-graded content replaces the stored one.</summary>
public sealed class WarningGradeChangedConsumer(AssistanceDbContext db, RecordWarning useCase, ILogger<WarningGradeChangedConsumer> logger)
    : IdempotentConsumer<WarningGradeChanged, AssistanceDbContext>(db)
{
    /// <inheritdoc />
    protected override string ConsumerName => "assistance.WarningGradeChanged";

    /// <inheritdoc />
    protected override Task HandleAsync(WarningGradeChanged message, ConsumeContext<WarningGradeChanged> context, CancellationToken cancellationToken) =>
        WarningConsumerLog.StoreAsync(useCase, logger, message.EventId, nameof(WarningGradeChanged), message.Sequence,
            WarningReader.Read(message.WarningId, message.HouseholdId, message.RegionCode, message.Grade, message.RiskTypes, message.MemberLabourAbilities, message.HouseholdCategory),
            cancellationToken);
}

/// <summary>
/// Grading's <see cref="WarningCleared"/> → <see cref="ClearWarning"/>: the stored warning is marked cleared, so no
/// new measures are recommended or confirmed for the household until a new warning; its plan and tasks stay.
/// </summary>
public sealed class WarningClearedConsumer(AssistanceDbContext db, ClearWarning useCase, ILogger<WarningClearedConsumer> logger)
    : IdempotentConsumer<WarningCleared, AssistanceDbContext>(db)
{
    /// <inheritdoc />
    protected override string ConsumerName => "assistance.WarningCleared";

    /// <inheritdoc />
    protected override async Task HandleAsync(WarningCleared message, ConsumeContext<WarningCleared> context, CancellationToken cancellationToken)
    {
        if (message.HouseholdId is not { } household)
        {
            WarningConsumerLog.LogNotApplied(logger, nameof(WarningCleared), message.EventId, "the event names no household");
            return;
        }
        var cleared = await useCase.HandleAsync(household, message.RegionCode, message.WarningId, message.Sequence, (DomainGrade)(int)message.PreviousGrade, cancellationToken)
            .ConfigureAwait(false);
        if (!cleared)
        {
            WarningConsumerLog.LogNotApplied(logger, nameof(WarningCleared), message.EventId, $"warning {message.WarningId} is older than the household's stored event, or is already cleared");
        }
    }
}

/// <summary>The shared outcome handling and logs of the warning consumers.</summary>
internal static partial class WarningConsumerLog
{
    public static async Task StoreAsync(RecordWarning useCase, ILogger logger, Guid eventId, string eventType, long sequence, WarningReading reading, CancellationToken ct)
    {
        if (reading.SkippedRiskTypes.Count > 0)
        {
            LogSkippedRiskTypes(logger, eventType, eventId, string.Join(", ", reading.SkippedRiskTypes));
        }
        if (reading.Warning is not { } warning)
        {
            LogNotApplied(logger, eventType, eventId, reading.NotApplicable ?? "unreadable");
            return;
        }
        var recommendations = await useCase.StoreAsync(warning, ct, sequence).ConfigureAwait(false);
        LogStored(logger, eventType, eventId, warning.HouseholdId, recommendations.Count);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{EventType} {EventId}: unknown risk type(s) {RiskTypes} left out of the stored warning")]
    public static partial void LogSkippedRiskTypes(ILogger logger, string eventType, Guid eventId, string riskTypes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{EventType} {EventId} not applied (acknowledged): {Reason}")]
    public static partial void LogNotApplied(ILogger logger, string eventType, Guid eventId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{EventType} {EventId}: warning of household {HouseholdId} stored, {Count} measure(s) recommended")]
    public static partial void LogStored(ILogger logger, string eventType, Guid eventId, Guid householdId, int count);
}
