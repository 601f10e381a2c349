using System.Globalization;
using FanPin.Monitoring.Domain;
using Google.Protobuf.WellKnownTypes;
using Pb = FanPin.Contracts.Monitoring.V1;

namespace FanPin.Monitoring.Grpc;

/// <summary>
/// Wire ↔ use-case conversions of scalars: ids, dates, instants, decimals and enums. A value the wire can carry
/// but monitoring cannot read (a malformed id, 31 February, an enum number from a newer client) is refused here
/// with INVALID_ARGUMENT naming the field; an UNSPECIFIED enum becomes null (or the enum's 0, which no use case
/// accepts), and the use case refuses it naming the same field where it is required.
/// </summary>
internal static class ProtoConvert
{
    /// <summary>A required id: empty or malformed is refused naming the field.</summary>
    public static Guid Id(string text, string field)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw new ValidationFailedException(field, "is required");
        }
        return Guid.TryParse(text, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new ValidationFailedException(field, $"'{Shorten(text)}' is not an id this service returned");
    }

    /// <summary>An id as the wire shows it.</summary>
    public static string ToProto(this Guid id) => id.ToString();

    /// <summary>An optional id as the wire shows it (empty when absent).</summary>
    public static string ToProto(this Guid? id) => id?.ToString() ?? "";

    /// <summary>Empty text is null.</summary>
    public static string? Optional(string text) => string.IsNullOrEmpty(text) ? null : text;

    /// <summary>A date: absent is null; an impossible date is refused.</summary>
    public static DateOnly? Date(Pb.CalendarDate? date, string field)
    {
        if (date is null)
        {
            return null;
        }
        if (date.Year is < 1 or > 9999 || date.Month is < 1 or > 12 || date.Day < 1 || date.Day > DateTime.DaysInMonth(date.Year, date.Month))
        {
            throw new ValidationFailedException(field, $"{date.Year:D4}-{date.Month:D2}-{date.Day:D2} is not a calendar date");
        }
        return new DateOnly(date.Year, date.Month, date.Day);
    }

    /// <summary>A required date.</summary>
    public static DateOnly RequiredDate(Pb.CalendarDate? date, string field) =>
        Date(date, field) ?? throw new ValidationFailedException(field, "is required");

    /// <summary>A date on the wire.</summary>
    public static Pb.CalendarDate ToProto(this DateOnly date) => new() { Year = date.Year, Month = date.Month, Day = date.Day };

    /// <summary>An instant on the wire.</summary>
    public static Timestamp ToProto(this DateTimeOffset instant) => Timestamp.FromDateTimeOffset(instant);

    /// <summary>A month on the wire ("yyyy-MM").</summary>
    public static string ToProto(this YearMonth month) => month.ToString();

    /// <summary>A month range on the wire.</summary>
    public static Pb.MonthRange ToProto(this MonthRange range) => new() { First = range.First.ToString(), Last = range.Last.ToString() };

    /// <summary>A ratio or rate as decimal text (4 decimals at most, invariant culture); empty when unknown.</summary>
    public static string Ratio(decimal? value) =>
        value is { } v ? Math.Round(v, 4, MidpointRounding.AwayFromZero).ToString("0.####", CultureInfo.InvariantCulture) : "";

    /// <summary>An exact decimal as text (invariant culture).</summary>
    public static string Exact(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>An optional decimal from text: empty is null; unreadable text is refused.</summary>
    public static decimal? OptionalDecimal(string text, string field)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        return decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ValidationFailedException(field, $"'{Shorten(text)}' is not a decimal number");
    }

    /// <summary>
    /// A wire enum to monitoring's enum of the same numbers: UNSPECIFIED (0) is null; a number monitoring does not
    /// know is refused. Wire and domain enums share numbers and names (tested).
    /// </summary>
    public static TDomain? In<TProto, TDomain>(TProto value, string field)
        where TProto : struct, System.Enum
        where TDomain : struct, System.Enum
    {
        var number = Convert.ToInt32(value, CultureInfo.InvariantCulture);
        if (number == 0)
        {
            return null;
        }
        var domain = (TDomain)System.Enum.ToObject(typeof(TDomain), number);
        return System.Enum.IsDefined(domain) ? domain : throw new ValidationFailedException(field, $"{number} is not a known {typeof(TProto).Name} value");
    }

    /// <summary>
    /// A wire enum a use case requires: UNSPECIFIED becomes the domain enum's 0, which the use case's own check refuses
    /// naming the field (so one message explains what is accepted).
    /// </summary>
    public static TDomain Required<TProto, TDomain>(TProto value, string field)
        where TProto : struct, System.Enum
        where TDomain : struct, System.Enum =>
        In<TProto, TDomain>(value, field) ?? default;

    /// <summary>A domain enum to the wire enum of the same number (null: UNSPECIFIED).</summary>
    public static TProto Out<TDomain, TProto>(TDomain? value)
        where TDomain : struct, System.Enum
        where TProto : struct, System.Enum =>
        value is { } v ? (TProto)System.Enum.ToObject(typeof(TProto), Convert.ToInt32(v, CultureInfo.InvariantCulture)) : default;

    /// <summary>A record category on the wire.</summary>
    public static Pb.RecordCategory ToProto(this RecordCategory category) => Out<RecordCategory, Pb.RecordCategory>(category);

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
