namespace FanPin.Registry.Domain;

/// <summary>帮扶责任人: a named person with phone and organisation, assigned when a household is monitored.</summary>
public sealed record ResponsibleHelper(string Name, string Phone, string Organisation, DateOnly AssignedOn);
