using Assistance = FanPin.Contracts.Assistance.V1;
using Grading = FanPin.Contracts.Grading.V1;
using Monitoring = FanPin.Contracts.Monitoring.V1;
using Notification = FanPin.Contracts.Notification.V1;
using Registry = FanPin.Contracts.Registry.V1;

namespace FanPin.Testing.Suite;

/// <summary>The typed gRPC clients of every public API, acting with one token.</summary>
public sealed class SuiteClients(SuiteProcess stack, string token)
{
    public Registry.RegionService.RegionServiceClient Regions => new(stack.Channel("registry", token));
    public Registry.HouseholdService.HouseholdServiceClient Households => new(stack.Channel("registry", token));
    public Registry.IdentificationService.IdentificationServiceClient Identification => new(stack.Channel("registry", token));
    public Registry.ClosingService.ClosingServiceClient Closing => new(stack.Channel("registry", token));
    public Registry.LedgerService.LedgerServiceClient Ledger => new(stack.Channel("registry", token));
    public Monitoring.RecordService.RecordServiceClient Records => new(stack.Channel("monitoring", token));
    public Monitoring.GuaranteeService.GuaranteeServiceClient Guarantees => new(stack.Channel("monitoring", token));
    public Monitoring.FeedService.FeedServiceClient Feeds => new(stack.Channel("monitoring", token));
    public Monitoring.SignalService.SignalServiceClient Signals => new(stack.Channel("monitoring", token));
    public Grading.PolicyService.PolicyServiceClient Policies => new(stack.Channel("grading", token));
    public Grading.WarningService.WarningServiceClient Warnings => new(stack.Channel("grading", token));
    public Assistance.AssistanceService.AssistanceServiceClient Assistance => new(stack.Channel("assistance", token));
    public Notification.NotificationService.NotificationServiceClient Notifications => new(stack.Channel("notification", token));
}
