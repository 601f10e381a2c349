using System.Globalization;
using FanPin.Policies;

namespace FanPin.Assistance.Domain;

/// <summary>An insurance payout with its inputs and arithmetic, so a township can explain it.</summary>
public sealed record InsurancePayoutBreakdown(
    string PolicyProvince,
    int PolicyVersion,
    long MonitoringLineFen,
    long ShareLineFen,
    decimal ShareOfLinePerPerson,
    long PerCapitaIncomeFen,
    int Persons,
    long GapPerPersonFen,
    long SharePerPersonFen,
    long TotalFen,
    string Arithmetic);

/// <summary>防返贫保险: per person (line − per-capita income) + share × line, for a household under the line (pure).</summary>
public static class InsurancePayout
{
    /// <summary>Computes the payout under <paramref name="policy"/>; nothing at or above the line.</summary>
    public static InsurancePayoutBreakdown Compute(ProvincePolicy policy, long perCapitaIncomeFen, int persons)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(persons, 1);
        var line = policy.Monitoring.MonitoringLineFen;
        var shareLine = policy.Insurance.Line == PayoutLine.PovertyLine ? policy.Monitoring.PovertyLineFen : line;
        var share = policy.Insurance.ShareOfLinePerPerson;
        var c = CultureInfo.InvariantCulture;
        if (perCapitaIncomeFen >= line)
        {
            return new InsurancePayoutBreakdown(policy.Province, policy.Version, line, shareLine, share, perCapitaIncomeFen, persons, 0, 0, 0,
                string.Create(c, $"per-capita income {Yuan(perCapitaIncomeFen)} is not below the line {Yuan(line)}: no payout"));
        }
        var gap = line - perCapitaIncomeFen;
        var sharePerPerson = (long)decimal.Round(shareLine * share, MidpointRounding.AwayFromZero);
        var total = (gap + sharePerPerson) * persons;
        var arithmetic = string.Create(c,
            $"({Yuan(line)} − {Yuan(perCapitaIncomeFen)}) + {share} × {Yuan(shareLine)} = {Yuan(gap)} + {Yuan(sharePerPerson)} = {Yuan(gap + sharePerPerson)} per person; × {persons} person(s) = {Yuan(total)}");
        return new InsurancePayoutBreakdown(policy.Province, policy.Version, line, shareLine, share, perCapitaIncomeFen, persons, gap, sharePerPerson, total, arithmetic);
    }

    /// <summary>Fen as yuan with two decimals.</summary>
    public static string Yuan(long fen) => (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);
}
