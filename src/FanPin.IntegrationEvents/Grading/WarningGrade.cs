namespace FanPin.IntegrationEvents;

/// <summary>Warning grade (DOMAIN.md §7). Serialized by name: "I", "II", "III".</summary>
public enum WarningGrade
{
    /// <summary>Ⅰ级 red: on the verge of returning to poverty.</summary>
    I = 1,

    /// <summary>Ⅱ级 yellow: extremely vulnerable.</summary>
    II = 2,

    /// <summary>Ⅲ级 blue: vulnerable.</summary>
    III = 3,
}
