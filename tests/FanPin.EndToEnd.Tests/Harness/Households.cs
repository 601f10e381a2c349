using FanPin.Contracts.Registry.V1;

namespace FanPin.EndToEnd.Tests.Harness;

/// <summary>Synthetic households with valid ID numbers (GB 11643), unique within the run.</summary>
public static class Households
{
    private static int _sequence;

    /// <summary>A fresh valid ID number of someone born in the county.</summary>
    public static string NewIdNumber(int birthYear = 1970)
    {
        var n = Interlocked.Increment(ref _sequence);
        return IdNumber.Create(Stack.County, new DateOnly(birthYear, 1, 1).AddDays(n % 300), n % 1000).Value;
    }

    /// <summary>A member as the registry takes it.</summary>
    public static MemberInput Member(string name, Relation relation, LabourAbility labour = LabourAbility.Full,
        HealthCondition health = HealthCondition.Healthy, int birthYear = 1970, SchoolingStage schooling = SchoolingStage.NotInSchool) => new()
    {
        Name = name,
        IdNumber = NewIdNumber(birthYear),
        Relation = relation,
        LabourAbility = labour,
        Health = health,
        Schooling = schooling,
        EmploymentLocation = labour == LabourAbility.Full ? EmploymentLocation.InsideCounty : EmploymentLocation.None,
        EmploymentMonths = labour == LabourAbility.Full ? 8 : 0,
        MedicalInsured = true,
        PensionInsured = true,
    };

    /// <summary>A household of <paramref name="members"/> (the first one the head) in <paramref name="village"/>.</summary>
    public static CreateHouseholdRequest In(string village, HouseholdCategory category, params MemberInput[] members)
    {
        var request = new CreateHouseholdRequest { RegionCode = village, Category = category };
        request.Members.Add(members);
        return request;
    }

    /// <summary>Today in China (the services count months and deadlines in China's dates).</summary>
    public static DateOnly ChinaToday => DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));

    /// <summary>"yyyy-MM" of a month relative to this month in China.</summary>
    public static string Month(int monthsFromNow) => ChinaToday.AddMonths(monthsFromNow).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A registry calendar date.</summary>
    public static CalendarDate Date(DateOnly date) => new() { Year = date.Year, Month = date.Month, Day = date.Day };
}
