using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Pb = FanPin.Contracts.Registry.V1;

namespace FanPin.Registry.Grpc;

/// <summary>
/// Wire ↔ use-case conversions of scalars: ids, dates, instants and enums. A value the wire can carry but
/// the registry cannot read (a malformed id, 31 February, an enum number from a newer client) is refused here
/// with INVALID_ARGUMENT naming the field; an absent or UNSPECIFIED value becomes null, which the use case
/// refuses (with the same field name) where it is required.
/// </summary>
internal static class ProtoConvert
{
    /// <summary>A required id: empty or malformed is refused naming the field.</summary>
    public static Guid Id(string text, string field) =>
        OptionalId(text, field) ?? throw new ValidationFailedException(field, "is required");

    /// <summary>An optional id: empty is null.</summary>
    public static Guid? OptionalId(string text, string field)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        return Guid.TryParse(text, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new ValidationFailedException(field, $"'{Shorten(text)}' is not an id this service returned");
    }

    /// <summary>An id as the wire shows it.</summary>
    public static string ToProto(this Guid id) => id.ToString();

    /// <summary>An optional id as the wire shows it (empty when absent).</summary>
    public static string ToProto(this Guid? id) => id?.ToString() ?? "";

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

    /// <summary>A date on the wire.</summary>
    public static Pb.CalendarDate ToProto(this DateOnly date) => new() { Year = date.Year, Month = date.Month, Day = date.Day };

    /// <summary>An optional date on the wire (absent when null).</summary>
    public static Pb.CalendarDate? ToProto(this DateOnly? date) => date?.ToProto();

    /// <summary>An instant on the wire.</summary>
    public static Timestamp ToProto(this DateTimeOffset instant) => Timestamp.FromDateTimeOffset(instant);

    /// <summary>An optional instant on the wire.</summary>
    public static Timestamp? ToProto(this DateTimeOffset? instant) => instant is { } i ? Timestamp.FromDateTimeOffset(i) : null;

    /// <summary>
    /// A wire enum to the registry's enum of the same numbers: UNSPECIFIED (0) is null; a number the registry
    /// does not know is refused. Proto and domain enums share numbers and names (tested), except <see cref="Sex"/>.
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

    /// <summary>A list of wire enums where every element is required.</summary>
    public static List<TDomain> InAll<TProto, TDomain>(IEnumerable<TProto> values, string field)
        where TProto : struct, System.Enum
        where TDomain : struct, System.Enum
    {
        var list = new List<TDomain>();
        var i = 0;
        foreach (var value in values)
        {
            list.Add(In<TProto, TDomain>(value, $"{field}[{i}]") ?? throw new ValidationFailedException($"{field}[{i}]", "is unspecified"));
            i++;
        }
        return list;
    }

    /// <summary>The registry's enum to the wire enum of the same number.</summary>
    public static TProto Out<TDomain, TProto>(TDomain value)
        where TDomain : struct, System.Enum
        where TProto : struct, System.Enum =>
        (TProto)System.Enum.ToObject(typeof(TProto), Convert.ToInt32(value, CultureInfo.InvariantCulture));

    /// <summary>An optional enum to the wire (UNSPECIFIED when null).</summary>
    public static TProto Out<TDomain, TProto>(TDomain? value)
        where TDomain : struct, System.Enum
        where TProto : struct, System.Enum =>
        value is { } v ? Out<TDomain, TProto>(v) : default;

    /// <summary>Sex is numbered differently on the wire (0 is unspecified there).</summary>
    public static Pb.Sex ToProto(this Sex sex) => sex switch
    {
        Sex.Female => Pb.Sex.Female,
        Sex.Male => Pb.Sex.Male,
        _ => Pb.Sex.Unspecified,
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
