namespace FanPin.Grading.Domain;

/// <summary>
/// One rule that fired on a household's monitoring data (the monitoring service's RiskSignal): its code, the
/// inputs it read and the thresholds it compared them with. Amounts are in CNY, as monitoring publishes them.
/// </summary>
public sealed record ReceivedRiskSignal(string Code, IReadOnlyDictionary<string, decimal> Inputs, IReadOnlyDictionary<string, decimal> Thresholds);

/// <summary>
/// The signal codes and input names grading reads (docs/grading.md, "Inputs"). Monitoring owns the rules; this
/// is the vocabulary both sides agree on. Any other code still counts as a risk factor.
/// </summary>
public static class SignalVocabulary
{
    /// <summary>Per-capita income below the monitoring line.</summary>
    public const string IncomeBelowLine = "IncomeBelowLine";

    /// <summary>Rigid expenditure clearly exceeds last year's income.</summary>
    public const string RigidExpenditureAboveIncome = "RigidExpenditureAboveIncome";

    /// <summary>Disaster or accident cut income sharply.</summary>
    public const string IncomeDrop = "IncomeDrop";

    /// <summary>Income is unstable (务工就业不稳, no stable source). Sets <see cref="SignalMeasurements.IncomeUnstable"/>.</summary>
    public const string UnstableIncome = "UnstableIncome";

    /// <summary>Input: per-capita annual disposable income, CNY.</summary>
    public const string PerCapitaIncome = "perCapitaIncome";

    /// <summary>Input: the household's income of the last 12 months (the income window), CNY.</summary>
    public const string LastYearIncome = "lastYearIncome";

    /// <summary>Input: rigid expenditure (medical self-paid, schooling, disaster loss, accident), CNY.</summary>
    public const string RigidExpenditure = "rigidExpenditure";

    /// <summary>Input: share of income lost, 0–1.</summary>
    public const string IncomeDropShare = "incomeDropShare";

    /// <summary>Input: share of income from transfers and dividends (转移净收入, 分红), 0–1.</summary>
    public const string TransferIncomeShare = "transferIncomeShare";

    /// <summary>Input: 1 when income is unstable (an alternative to the <see cref="UnstableIncome"/> code).</summary>
    public const string IncomeUnstableFlag = "incomeUnstable";

    /// <summary>Inputs that are shares and must lie in 0–1.</summary>
    public static readonly IReadOnlyList<string> ShareInputs = [IncomeDropShare, TransferIncomeShare];
}

/// <summary>
/// What grading takes from monitoring's latest signals: the codes (each a risk factor) and the measured values
/// the grade rules compare with policy thresholds. Amounts in fen, like the policy's.
/// </summary>
public sealed record SignalMeasurements
{
    /// <summary>No signals.</summary>
    public static SignalMeasurements None { get; } = new();

    /// <summary>Signal codes present, distinct, in ordinal order.</summary>
    public IReadOnlyList<string> Codes { get; init; } = [];

    /// <summary>Per-capita annual disposable income, fen.</summary>
    public long? PerCapitaIncomeFen { get; init; }

    /// <summary>The household's income of the income window, fen.</summary>
    public long? LastYearIncomeFen { get; init; }

    /// <summary>Rigid expenditure, fen.</summary>
    public long? RigidExpenditureFen { get; init; }

    /// <summary>Share of income lost, 0–1.</summary>
    public decimal? IncomeDropShare { get; init; }

    /// <summary>Share of income from transfers and dividends, 0–1.</summary>
    public decimal? TransferIncomeShare { get; init; }

    /// <summary>Income is unstable.</summary>
    public bool IncomeUnstable { get; init; }

    /// <summary>
    /// Reads signals deterministically: codes sorted; for an input carried by several signals, the first in
    /// code order wins (so the order monitoring lists them in never changes a grade).
    /// </summary>
    public static SignalMeasurements Read(IEnumerable<ReceivedRiskSignal> signals)
    {
        var ordered = signals.OrderBy(s => s.Code, StringComparer.Ordinal).ToList();
        decimal? Input(string name)
        {
            foreach (var signal in ordered)
            {
                if (signal.Inputs.TryGetValue(name, out var value))
                {
                    return value;
                }
            }
            return null;
        }
        return new SignalMeasurements
        {
            Codes = ordered.Select(s => s.Code).Distinct(StringComparer.Ordinal).ToList(),
            PerCapitaIncomeFen = ToFen(Input(SignalVocabulary.PerCapitaIncome)),
            LastYearIncomeFen = ToFen(Input(SignalVocabulary.LastYearIncome)),
            RigidExpenditureFen = ToFen(Input(SignalVocabulary.RigidExpenditure)),
            IncomeDropShare = Input(SignalVocabulary.IncomeDropShare),
            TransferIncomeShare = Input(SignalVocabulary.TransferIncomeShare),
            IncomeUnstable = ordered.Any(s => s.Code == SignalVocabulary.UnstableIncome) || Input(SignalVocabulary.IncomeUnstableFlag) is > 0m,
        };
    }

    /// <summary>CNY to fen, rounded half away from zero (monitoring publishes CNY with at most two decimals).</summary>
    public static long? ToFen(decimal? cny) => cny is { } value ? (long)decimal.Round(value * 100m, 0, MidpointRounding.AwayFromZero) : null;
}
