using FanPin.Policies;
using FanPin.Registry.Application.Closing;
using FanPin.Registry.Application.Common;
using FanPin.Registry.Application.Households;
using FanPin.Registry.Application.Identification;
using FanPin.Registry.Application.Regions;
using FanPin.Registry.Domain;
using static FanPin.Registry.Grpc.ProtoConvert;
using Pb = FanPin.Contracts.Registry.V1;

namespace FanPin.Registry.Grpc;

/// <summary>
/// Wire messages ↔ use-case records. Requests: field paths of nested messages follow the proto
/// (<c>members[1].relation</c>), so the use case's violations name the caller's fields. Answers: the use
/// cases' views are already masked for the caller (ID numbers, helper phones).
/// </summary>
internal static class RegistryMessages
{
    /// <summary>A member as the request gives it; <paramref name="path"/> is its field path (<c>members[0]</c>).</summary>
    public static MemberInput ToInput(this Pb.MemberInput? m, string path) => m is null
        ? new MemberInput(null, null, null, null, null, null, null, null, 0, false, false)
        : new MemberInput(
            m.Name,
            m.IdNumber,
            In<Pb.Relation, Relation>(m.Relation, $"{path}.relation"),
            In<Pb.LabourAbility, LabourAbility>(m.LabourAbility, $"{path}.labour_ability"),
            In<Pb.HealthCondition, HealthCondition>(m.Health, $"{path}.health"),
            m.HasDisabilityGrade ? m.DisabilityGrade : null,
            In<Pb.SchoolingStage, SchoolingStage>(m.Schooling, $"{path}.schooling"),
            In<Pb.EmploymentLocation, EmploymentLocation>(m.EmploymentLocation, $"{path}.employment_location"),
            m.EmploymentMonths,
            m.MedicalInsured,
            m.PensionInsured);

    /// <summary>The members of a request, each with its path.</summary>
    public static List<MemberInput> ToInputs(this IEnumerable<Pb.MemberInput> members, string path) =>
        members.Select((m, i) => m.ToInput($"{path}[{i}]")).ToList();

    /// <summary>A helper as the request gives it (null when absent: the use case says "is required").</summary>
    public static HelperInput? ToInput(this Pb.ResponsibleHelperInput? helper) =>
        helper is null ? null : new HelperInput(helper.Name, helper.Phone, helper.Organisation);

    /// <summary>Members moving in a split or merge.</summary>
    public static List<MovingMember> ToMoving(this IEnumerable<Pb.MovingMember> members, string path) =>
        members.Select((m, i) => new MovingMember(Id(m.MemberId, $"{path}[{i}].member_id"), In<Pb.Relation, Relation>(m.Relation, $"{path}[{i}].relation"))).ToList();

    /// <summary>A household as answers show it.</summary>
    public static Pb.Household ToProto(this HouseholdView h)
    {
        var message = new Pb.Household
        {
            Id = h.Id.ToProto(),
            RegionCode = h.RegionCode,
            Category = Out<HouseholdCategory, Pb.HouseholdCategory>(h.Category),
            MinimumLivingGuarantee = h.MinimumLivingGuarantee,
            ExtremePovertySupport = h.ExtremePovertySupport,
            Status = Out<MonitoringStatus, Pb.MonitoringStatus>(h.Status),
            MonitoringType = Out<MonitoringType, Pb.MonitoringType>(h.MonitoringType),
            Helper = h.Helper?.ToProto(),
            MemberCount = h.MemberCount,
            HeadName = h.HeadName,
            DissolvedOn = h.DissolvedOn.ToProto(),
            MergedIntoId = h.MergedIntoId.ToProto(),
            CreateTime = h.CreatedAt.ToProto(),
            UpdateTime = h.UpdatedAt.ToProto(),
        };
        message.RiskTypes.AddRange(h.RiskTypes.Select(Out<RiskType, Pb.RiskType>));
        message.Members.AddRange(h.Members.Select(ToProto));
        return message;
    }

    /// <summary>A member as answers show it.</summary>
    public static Pb.Member ToProto(this MemberView m)
    {
        var message = new Pb.Member
        {
            Id = m.Id.ToProto(),
            Name = m.Name,
            IdNumber = m.IdNumber,
            IdNumberMasked = m.IdNumberIsMasked,
            BirthDate = m.BirthDate.ToProto(),
            Sex = m.Sex.ToProto(),
            Relation = Out<Relation, Pb.Relation>(m.Relation),
            LabourAbility = Out<LabourAbility, Pb.LabourAbility>(m.LabourAbility),
            Health = Out<HealthCondition, Pb.HealthCondition>(m.Health),
            Schooling = Out<SchoolingStage, Pb.SchoolingStage>(m.Schooling),
            EmploymentLocation = Out<EmploymentLocation, Pb.EmploymentLocation>(m.EmploymentLocation),
            EmploymentMonths = m.EmploymentMonths,
            MedicalInsured = m.MedicalInsured,
            PensionInsured = m.PensionInsured,
            JoinedOn = m.JoinedOn.ToProto(),
            JoinedBy = Out<MemberChangeKind, Pb.MemberChangeKind>(m.JoinedBy),
            LeftOn = m.LeftOn.ToProto(),
            LeftBy = Out<MemberChangeKind, Pb.MemberChangeKind>(m.LeftBy),
        };
        if (m.DisabilityGrade is { } grade)
        {
            message.DisabilityGrade = grade;
        }
        return message;
    }

    /// <summary>The responsible helper (phone already masked for callers who may not see it).</summary>
    public static Pb.ResponsibleHelper ToProto(this ResponsibleHelper helper) => new()
    {
        Name = helper.Name,
        Phone = helper.Phone,
        Organisation = helper.Organisation,
        AssignedOn = helper.AssignedOn.ToProto(),
    };

    /// <summary>A household in a list.</summary>
    public static Pb.HouseholdSummary ToProto(this HouseholdSummary h)
    {
        var message = new Pb.HouseholdSummary
        {
            Id = h.Id.ToProto(),
            RegionCode = h.RegionCode,
            HeadName = h.HeadName,
            MemberCount = h.MemberCount,
            Category = Out<HouseholdCategory, Pb.HouseholdCategory>(h.Category),
            Status = Out<MonitoringStatus, Pb.MonitoringStatus>(h.Status),
            MonitoringType = Out<MonitoringType, Pb.MonitoringType>(h.MonitoringType),
            HelperName = h.HelperName ?? "",
        };
        message.RiskTypes.AddRange(h.RiskTypes.Select(Out<RiskType, Pb.RiskType>));
        return message;
    }

    /// <summary>One entry of the member history.</summary>
    public static Pb.MemberChange ToProto(this MemberChangeView c) => new()
    {
        Sequence = c.Sequence,
        MemberId = c.MemberId.ToProto(),
        Kind = Out<MemberChangeKind, Pb.MemberChangeKind>(c.Kind),
        EffectiveOn = c.EffectiveOn.ToProto(),
        RecordTime = c.RecordedAt.ToProto(),
        RecordedBy = c.RecordedBy,
        OtherHouseholdId = c.OtherHouseholdId.ToProto(),
        Details = c.Details ?? "",
    };

    /// <summary>A region.</summary>
    public static Pb.Region ToProto(this RegionView r) => new()
    {
        Code = r.Code,
        Name = r.Name,
        Level = Out<RegionLevel, Pb.RegionLevel>(r.Level),
        ParentCode = r.ParentCode ?? "",
    };

    /// <summary>One audited case transition.</summary>
    public static Pb.CaseTransition ToProto(this TransitionView t) => new()
    {
        FromState = t.FromState ?? "",
        ToState = t.ToState,
        Action = t.Action,
        ActorSubject = t.ActorSubject,
        ActorRole = t.ActorRole,
        Time = t.At.ToProto(),
        Details = t.Details,
    };

    /// <summary>An identification case with its trail.</summary>
    public static Pb.IdentificationCase ToProto(this IdentificationCaseView c)
    {
        var message = new Pb.IdentificationCase
        {
            Id = c.Id.ToProto(),
            HouseholdId = c.HouseholdId.ToProto(),
            RegionCode = c.RegionCode,
            Source = Out<CaseSource, Pb.CaseSource>(c.Source),
            SourceReference = c.SourceReference ?? "",
            Summary = c.Summary,
            State = Out<IdentificationState, Pb.IdentificationState>(c.State),
            Overdue = c.Overdue,
            PolicyProvince = c.PolicyProvince,
            PolicyVersion = c.PolicyVersion,
            OpenedOn = c.OpenedOn.ToProto(),
            OpenedBy = c.OpenedBy,
            FirstVisitDueOn = c.FirstVisitDueOn.ToProto(),
            VerificationDueOn = c.VerificationDueOn.ToProto(),
            DecisionDueOn = c.DecisionDueOn.ToProto(),
            VerifiedOn = c.VerifiedOn.ToProto(),
            AppraisedOn = c.AppraisedOn.ToProto(),
            AppraisalResult = Out<AppraisalResult, Pb.AppraisalResult>(c.AppraisalResult),
            AppraisalMinutesReference = c.AppraisalMinutesReference ?? "",
            AssetCheckAuthorised = c.AssetCheckAuthorised ?? false,
            ComparedOn = c.ComparedOn.ToProto(),
            NoticeStartsOn = c.NoticeStartsOn.ToProto(),
            NoticeEndsOn = c.NoticeEndsOn.ToProto(),
            Reopenings = c.Reopenings,
            EnteredOn = c.EnteredOn.ToProto(),
            RejectedAt = Out<IdentificationState, Pb.IdentificationState>(c.RejectedAt),
            RejectionReason = c.RejectionReason ?? "",
            CloseTime = c.ClosedAt.ToProto(),
        };
        if (c.VerifiedPerCapitaIncomeFen is { } income)
        {
            message.VerifiedPerCapitaIncomeFen = income;
        }
        message.Exclusions.AddRange(c.Exclusions.Select(e => new Pb.Exclusion { Kind = Out<ExclusionKind, Pb.ExclusionKind>(e.Kind), Reason = e.Reason }));
        message.Trail.AddRange(c.Trail.Select(ToProto));
        return message;
    }

    /// <summary>A closing case with its trail.</summary>
    public static Pb.ClosingCase ToProto(this ClosingCaseView c)
    {
        var message = new Pb.ClosingCase
        {
            Id = c.Id.ToProto(),
            HouseholdId = c.HouseholdId.ToProto(),
            RegionCode = c.RegionCode,
            Source = Out<ClosingSource, Pb.ClosingSource>(c.Source),
            SourceReference = c.SourceReference ?? "",
            Summary = c.Summary,
            State = Out<ClosingState, Pb.ClosingState>(c.State),
            PolicyProvince = c.PolicyProvince,
            PolicyVersion = c.PolicyVersion,
            IncomeStableSince = c.IncomeStableSince.ToProto(),
            OpenedOn = c.OpenedOn.ToProto(),
            OpenedBy = c.OpenedBy,
            AppraisedOn = c.AppraisedOn.ToProto(),
            AppraisalMinutesReference = c.AppraisalMinutesReference ?? "",
            ReviewedOn = c.ReviewedOn.ToProto(),
            NoticeStartsOn = c.NoticeStartsOn.ToProto(),
            NoticeEndsOn = c.NoticeEndsOn.ToProto(),
            EliminatedOn = c.EliminatedOn.ToProto(),
            RejectedAt = Out<ClosingState, Pb.ClosingState>(c.RejectedAt),
            RejectionReason = c.RejectionReason ?? "",
            CloseTime = c.ClosedAt.ToProto(),
        };
        message.Trail.AddRange(c.Trail.Select(ToProto));
        return message;
    }
}
