using System.Globalization;
using FanPin.Assistance.Application.Catalogue;
using FanPin.Assistance.Application.Common;
using FanPin.Assistance.Application.Plans;
using FanPin.Assistance.Application.Reports;
using FanPin.Assistance.Application.Tasks;
using FanPin.Assistance.Domain;
using FanPin.Grpc;
using Pb = FanPin.Contracts.Assistance.V1;

namespace FanPin.Assistance.Grpc;

/// <summary>Thin adapter: parses requests, runs the use case, maps the answer. Domain errors map to gRPC statuses in the transport.</summary>
public sealed class AssistanceGrpcService(IServiceProvider services) : Pb.AssistanceService.AssistanceServiceBase
{
    private T Use<T>() where T : notnull => services.GetRequiredService<T>();

    /// <inheritdoc />
    public override async Task<Pb.ListMeasureTypesResponse> ListMeasureTypes(Pb.ListMeasureTypesRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var list = await Use<ListMeasureTypes>().HandleAsync(caller,
            new ListMeasureTypesRequest(request.Category == Pb.MeasureCategory.Unspecified ? null : (MeasureCategory)request.Category), context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.ListMeasureTypesResponse();
        response.MeasureTypes.AddRange(list.Select(ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.UpsertMeasureTypeResponse> UpsertMeasureType(Pb.UpsertMeasureTypeRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var m = request.MeasureType ?? new Pb.MeasureType();
        var stored = await Use<UpsertMeasureType>().HandleAsync(caller, new UpsertMeasureTypeRequest(m.Code, m.Name,
            m.Category == Pb.MeasureCategory.Unspecified ? null : (MeasureCategory)m.Category, m.ResponsibleDepartment,
            m.RiskTypes.Select(r => (RiskType)r).ToList(), m.RequiresLabour, m.DefaultDeadlineWorkingDays, m.Active), context.CancellationToken).ConfigureAwait(false);
        return new Pb.UpsertMeasureTypeResponse { MeasureType = ToProto(stored) };
    }

    /// <inheritdoc />
    public override async Task<Pb.RecordWarningResponse> RecordWarning(Pb.RecordWarningRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var v = new Validator();
        var warningId = ParseId(request.WarningId, "warning_id", v);
        var householdId = ParseId(request.HouseholdId, "household_id", v);
        v.Require(RegionCode.TryParse(request.RegionCode, out var region, out var error), "region_code", error);
        v.ThrowIfInvalid();
        var recommendations = await Use<RecordWarning>().HandleAsync(caller, new WarningInput(warningId, householdId, region, (WarningGrade)request.Grade,
            request.RiskTypes.Select(r => (RiskType)r).ToList(), request.MemberLabourAbilities.Select(l => (FanPin.Policies.LabourAbility)l).ToList(),
            (FanPin.Policies.HouseholdCategory)request.Category), context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.RecordWarningResponse();
        response.Recommendations.AddRange(recommendations.Select(ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.GetRecommendationsResponse> GetRecommendations(Pb.GetRecommendationsRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var id = RequireId(request.HouseholdId, "household_id");
        var list = await Use<GetRecommendations>().HandleAsync(caller, new GetRecommendationsRequest(id), context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.GetRecommendationsResponse();
        response.Recommendations.AddRange(list.Select(ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.ConfirmPlanResponse> ConfirmPlan(Pb.ConfirmPlanRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var v = new Validator();
        var id = ParseId(request.HouseholdId, "household_id", v);
        var measures = request.Measures.Select((m, i) => new PlannedMeasureInput(m.MeasureCode, ParseDate(m.DueOn, $"measures[{i}].due_on", v), m.AmountFen, m.Note)).ToList();
        v.ThrowIfInvalid();
        var view = await Use<ConfirmPlan>().HandleAsync(caller, new ConfirmPlanRequest(id, measures, request.ExpectedVersion), context.CancellationToken).ConfigureAwait(false);
        return new Pb.ConfirmPlanResponse { Plan = ToProto(view) };
    }

    /// <inheritdoc />
    public override async Task<Pb.GetPlanResponse> GetPlan(Pb.GetPlanRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var id = RequireId(request.HouseholdId, "household_id");
        var view = await Use<GetPlan>().HandleAsync(caller, new GetPlanRequest(id), context.CancellationToken).ConfigureAwait(false);
        return new Pb.GetPlanResponse { Plan = ToProto(view) };
    }

    /// <inheritdoc />
    public override async Task<Pb.ListTasksResponse> ListTasks(Pb.ListTasksRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var v = new Validator();
        RegionPrefix? prefix = null;
        if (request.RegionPrefix.Length > 0)
        {
            v.Require(RegionPrefix.TryParse(request.RegionPrefix, out var p, out var error), "region_prefix", error);
            prefix = p;
        }
        v.ThrowIfInvalid();
        var tasks = await Use<ListTasks>().HandleAsync(caller, new ListTasksRequest(prefix,
            request.Status == Pb.TaskStatus.Unspecified ? null : (AssistanceTaskStatus)request.Status, request.OverdueOnly,
            request.Department.Length == 0 ? null : request.Department, request.Township.Length == 0 ? null : request.Township, request.Limit), context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.ListTasksResponse();
        response.Tasks.AddRange(tasks.Select(ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Pb.StartTaskResponse> StartTask(Pb.StartTaskRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var task = await Use<StartTask>().HandleAsync(caller, new StartTaskRequest(RequireId(request.TaskId, "task_id")), context.CancellationToken).ConfigureAwait(false);
        return new Pb.StartTaskResponse { Task = ToProto(task) };
    }

    /// <inheritdoc />
    public override async Task<Pb.CompleteTaskResponse> CompleteTask(Pb.CompleteTaskRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var result = await Use<CompleteTask>().HandleAsync(caller, new CompleteTaskRequest(RequireId(request.TaskId, "task_id"),
            request.AmountFen, request.YearlyIncomeEffectFen, request.EvidenceReference), context.CancellationToken).ConfigureAwait(false);
        return new Pb.CompleteTaskResponse { Task = ToProto(result.Task), EliminationProposed = result.EliminationProposed, EffectExplanation = result.EffectExplanation };
    }

    /// <inheritdoc />
    public override async Task<Pb.CancelTaskResponse> CancelTask(Pb.CancelTaskRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var task = await Use<CancelTask>().HandleAsync(caller, new CancelTaskRequest(RequireId(request.TaskId, "task_id"), request.Reason), context.CancellationToken).ConfigureAwait(false);
        return new Pb.CancelTaskResponse { Task = ToProto(task) };
    }

    /// <inheritdoc />
    public override async Task<Pb.CalculateInsurancePayoutResponse> CalculateInsurancePayout(Pb.CalculateInsurancePayoutRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var v = new Validator();
        var on = ParseDate(request.On, "on", v);
        v.ThrowIfInvalid();
        var b = await Use<CalculateInsurancePayout>().HandleAsync(caller,
            new CalculateInsurancePayoutRequest(request.RegionCode, request.PerCapitaIncomeFen, request.Persons, on), context.CancellationToken).ConfigureAwait(false);
        return new Pb.CalculateInsurancePayoutResponse
        {
            PolicyProvince = b.PolicyProvince, PolicyVersion = b.PolicyVersion, MonitoringLineFen = b.MonitoringLineFen, ShareLineFen = b.ShareLineFen,
            ShareOfLinePerPerson = b.ShareOfLinePerPerson.ToString(CultureInfo.InvariantCulture), PerCapitaIncomeFen = b.PerCapitaIncomeFen, Persons = b.Persons,
            GapPerPersonFen = b.GapPerPersonFen, SharePerPersonFen = b.SharePerPersonFen, TotalFen = b.TotalFen, Arithmetic = b.Arithmetic,
        };
    }

    /// <inheritdoc />
    public override async Task<Pb.CountCoverageResponse> CountCoverage(Pb.CountCoverageRequest request, ServerCallContext context)
    {
        var caller = context.RequireCaller();
        var v = new Validator();
        RegionPrefix? prefix = null;
        if (request.RegionPrefix.Length > 0)
        {
            v.Require(RegionPrefix.TryParse(request.RegionPrefix, out var p, out var error), "region_prefix", error);
            prefix = p;
        }
        v.ThrowIfInvalid();
        var rows = await Use<CountCoverage>().HandleAsync(caller, new CountCoverageRequest(prefix), context.CancellationToken).ConfigureAwait(false);
        var response = new Pb.CountCoverageResponse();
        response.Coverage.AddRange(rows.Select(r => new Pb.MeasureCoverage { MeasureCode = r.MeasureCode, MeasureName = r.MeasureName, Households = r.Households, Persons = r.Persons }));
        return response;
    }

    private static Guid RequireId(string text, string field)
    {
        var v = new Validator();
        var id = ParseId(text, field, v);
        v.ThrowIfInvalid();
        return id;
    }

    private static Guid ParseId(string text, string field, Validator v)
    {
        var ok = Guid.TryParse(text, out var id) && id != Guid.Empty;
        v.Require(ok, field, "must be a UUID");
        return id;
    }

    private static DateOnly? ParseDate(string text, string field, Validator v)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        var ok = DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date);
        v.Require(ok, field, "must be a date yyyy-MM-dd");
        return ok ? date : null;
    }

    private static string Date(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";

    private static Pb.MeasureType ToProto(MeasureType m)
    {
        var p = new Pb.MeasureType
        {
            Code = m.Code, Version = m.Version, Name = m.Name, Category = (Pb.MeasureCategory)m.Category, ResponsibleDepartment = m.ResponsibleDepartment,
            RequiresLabour = m.RequiresLabour, DefaultDeadlineWorkingDays = m.DefaultDeadlineWorkingDays, Active = m.Active,
        };
        p.RiskTypes.AddRange(m.RiskTypes.Select(r => (Pb.RiskType)r));
        return p;
    }

    private static Pb.Recommendation ToProto(Recommendation r)
    {
        var p = new Pb.Recommendation { MeasureType = ToProto(r.Measure) };
        p.Answers.AddRange(r.Answers.Select(a => (Pb.RiskType)a));
        return p;
    }

    private static Pb.Plan ToProto(PlanView view)
    {
        var plan = view.Plan;
        var p = new Pb.Plan
        {
            PlanId = plan.Id.ToString(), HouseholdId = plan.HouseholdId.ToString(), RegionCode = plan.RegionCode, Version = plan.Version, Persons = plan.Persons,
            EliminationProposed = plan.EliminationProposedVersion == plan.Version,
        };
        p.Tasks.AddRange(plan.Tasks.Select(t => ToProto(new TaskView(t, t.IsOverdueOn(view.Today)))));
        return p;
    }

    private static Pb.AssistanceTask ToProto(TaskView view)
    {
        var t = view.Task;
        return new Pb.AssistanceTask
        {
            TaskId = t.Id.ToString(), HouseholdId = t.HouseholdId.ToString(), RegionCode = t.RegionCode, MeasureCode = t.MeasureCode, MeasureVersion = t.MeasureVersion,
            MeasureName = t.MeasureName, Category = (Pb.MeasureCategory)t.Category, AssigneeKind = (Pb.AssigneeKind)t.AssigneeKind, Assignee = t.Assignee,
            Status = (Pb.TaskStatus)t.Status, AssignedOn = Date(t.AssignedOn), DueOn = Date(t.DueOn), Overdue = view.Overdue, AmountFen = t.AmountFen,
            YearlyIncomeEffectFen = t.YearlyIncomeEffectFen, EvidenceReference = t.EvidenceReference ?? "", ClosedOn = Date(t.ClosedOn), Note = t.Note ?? "",
            PlanVersion = t.PlanVersion,
        };
    }
}
