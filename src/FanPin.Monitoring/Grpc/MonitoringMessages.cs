using FanPin.Monitoring.Application.Evaluation;
using FanPin.Monitoring.Application.Feeds;
using FanPin.Monitoring.Application.Guarantees;
using FanPin.Monitoring.Application.Records;
using FanPin.Monitoring.Application.Visits;
using FanPin.Monitoring.Domain;
using FanPin.Monitoring.Domain.Events;
using FanPin.Policies;
using Pb = FanPin.Contracts.Monitoring.V1;

namespace FanPin.Monitoring.Grpc;

/// <summary>Use-case views → wire messages (and the guarantee indicators both ways).</summary>
internal static class MonitoringMessages
{
    public static Pb.Record ToProto(this RecordView r) => new()
    {
        Id = r.Id.ToProto(),
        HouseholdId = r.HouseholdId.ToProto(),
        Category = r.Category.ToProto(),
        Kind = ProtoConvert.Out<RecordKind, Pb.RecordKind>(r.Kind),
        Month = r.Month,
        AmountFen = r.AmountFen,
        Source = ProtoConvert.Out<RecordSource, Pb.RecordSource>(r.Source),
        Reference = r.Reference,
        Department = r.Department ?? "",
        Version = r.Version,
        SupersedesId = r.SupersedesId.ToProto(),
        SupersededById = r.SupersededById.ToProto(),
        CorrectionReason = r.CorrectionReason ?? "",
        RecordedAt = r.RecordedAt.ToProto(),
        RecordedBy = r.RecordedBy,
    };

    public static IEnumerable<Pb.CategoryAmount> ToProto(this IReadOnlyDictionary<RecordCategory, long> amounts) =>
        amounts.OrderBy(a => a.Key).Select(a => new Pb.CategoryAmount { Category = a.Key.ToProto(), AmountFen = a.Value });

    public static Pb.IncomeSummary ToProto(this IncomeSummary s)
    {
        var summary = new Pb.IncomeSummary
        {
            ReferenceMonth = s.ReferenceMonth.ToProto(),
            IncomeWindow = s.IncomeWindow.ToProto(),
            CostWindow = s.CostWindow.ToProto(),
            ProductiveCostsFen = s.ProductiveCostsFen,
            DisposableIncomeFen = s.DisposableIncomeFen,
            IncomeMonthsRecorded = s.IncomeMonthsRecorded,
            MemberMonths = s.MemberMonths,
            CurrentMembers = s.CurrentMembers,
            MonitoringLineFen = s.MonitoringLineFen,
            PovertyLineFen = s.PovertyLineFen,
            RigidCostsFen = s.RigidCostsFen,
            RigidToIncomeRatio = ProtoConvert.Ratio(s.RigidToIncomeRatio),
            IncomeDropRatio = ProtoConvert.Ratio(s.IncomeDropRatio),
            IncomeDropRecent = s.IncomeDropRecent.ToProto(),
            IncomeDropEarlier = s.IncomeDropEarlier.ToProto(),
            TransferIncomeShare = ProtoConvert.Ratio(s.TransferIncomeShare),
        };
        if (s.PerCapitaIncomeFen is { } perCapita)
        {
            summary.PerCapitaIncomeFen = perCapita;
        }
        summary.IncomeByCategory.AddRange(s.IncomeByCategoryFen.ToProto());
        summary.RigidCostsByCategory.AddRange(s.RigidCostsByCategoryFen.ToProto());
        return summary;
    }

    public static Pb.MonthAmounts ToProto(this Application.Records.MonthAmounts m)
    {
        var month = new Pb.MonthAmounts { Month = m.Month };
        month.Amounts.AddRange(m.AmountsFen.ToProto());
        return month;
    }

    public static IEnumerable<Pb.SignalValue> ToProto(this IReadOnlyDictionary<string, decimal> values) =>
        values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => new Pb.SignalValue { Name = v.Key, Value = ProtoConvert.Exact(v.Value) });

    public static Pb.RiskSignal ToProto(this RiskSignal s)
    {
        var signal = new Pb.RiskSignal
        {
            Code = s.Code,
            Comparison = s.Comparison switch
            {
                "greater_than" => Pb.SignalComparison.GreaterThan,
                "at_least" => Pb.SignalComparison.AtLeast,
                ComparisonNames.LessThan => Pb.SignalComparison.LessThan,
                _ => Pb.SignalComparison.Unspecified,
            },
            PolicyKey = s.PolicyKey,
            Explanation = s.Explanation,
        };
        signal.Inputs.AddRange(s.Inputs.ToProto());
        signal.Thresholds.AddRange(s.Thresholds.ToProto());
        return signal;
    }

    public static Pb.ExclusionFact ToProto(this ExclusionFactView f)
    {
        var fact = new Pb.ExclusionFact
        {
            Kind = ProtoConvert.Out<ExclusionKind, Pb.ExclusionKind>(f.Kind),
            Department = f.Department,
            Month = f.Month.ToProto(),
            Reference = f.Reference,
        };
        if (f.AmountFen is { } amount)
        {
            fact.AmountFen = amount;
        }
        return fact;
    }

    public static Pb.GuaranteeIndicators ToProto(this GuaranteeIndicators i)
    {
        var indicators = new Pb.GuaranteeIndicators
        {
            HousingGrade = ProtoConvert.Out<HousingSafetyGrade, Pb.HousingSafetyGrade>(i.HousingGrade),
            WaterSupplyRate = i.WaterSupplyRate is { } rate ? ProtoConvert.Exact(rate) : "",
        };
        if (i.FoodAndClothingSecure is { } food)
        {
            indicators.FoodAndClothingSecure = food;
        }
        if (i.OutOfSchoolChildren is { } outOfSchool)
        {
            indicators.OutOfSchoolChildren = outOfSchool;
        }
        if (i.UninsuredMembers is { } uninsured)
        {
            indicators.UninsuredMembers = uninsured;
        }
        if (i.WaterLitresPerPersonPerDay is { } litres)
        {
            indicators.WaterLitresPerPersonPerDay = litres;
        }
        if (i.WaterQualityMeetsStandard is { } quality)
        {
            indicators.WaterQualityMeetsStandard = quality;
        }
        if (i.WaterFetchRoundTripMinutes is { } minutes)
        {
            indicators.WaterFetchRoundTripMinutes = minutes;
        }
        return indicators;
    }

    /// <summary>Indicators from the wire: absent fields are "not assessed".</summary>
    public static GuaranteeIndicators FromProto(Pb.GuaranteeIndicators? i, string field) => i is null
        ? GuaranteeIndicators.None
        : new GuaranteeIndicators(
            i.HasFoodAndClothingSecure ? i.FoodAndClothingSecure : null,
            i.HasOutOfSchoolChildren ? i.OutOfSchoolChildren : null,
            i.HasUninsuredMembers ? i.UninsuredMembers : null,
            ProtoConvert.In<Pb.HousingSafetyGrade, HousingSafetyGrade>(i.HousingGrade, field + ".housing_grade"),
            i.HasWaterLitresPerPersonPerDay ? i.WaterLitresPerPersonPerDay : null,
            i.HasWaterQualityMeetsStandard ? i.WaterQualityMeetsStandard : null,
            i.HasWaterFetchRoundTripMinutes ? i.WaterFetchRoundTripMinutes : null,
            ProtoConvert.OptionalDecimal(i.WaterSupplyRate, field + ".water_supply_rate"));

    public static Pb.GuaranteeSnapshot ToProto(this GuaranteeSnapshotView s) => new()
    {
        Id = s.Id.ToProto(),
        HouseholdId = s.HouseholdId.ToProto(),
        ObservedOn = s.ObservedOn.ToProto(),
        Indicators = s.Indicators.ToProto(),
        Source = ProtoConvert.Out<RecordSource, Pb.RecordSource>(s.Source),
        Department = s.Department ?? "",
        Reference = s.Reference,
        RecordedAt = s.RecordedAt.ToProto(),
        RecordedBy = s.RecordedBy,
    };

    public static Pb.GuaranteeGapFinding ToProto(this GuaranteeGapFinding g)
    {
        var finding = new Pb.GuaranteeGapFinding
        {
            Gap = ProtoConvert.Out<GuaranteeGap, Pb.GuaranteeGap>(g.Gap),
            Explanation = g.Explanation,
            PolicyKey = g.PolicyKey,
        };
        finding.Inputs.AddRange(g.Inputs.ToProto());
        finding.Thresholds.AddRange(g.Thresholds.ToProto());
        return finding;
    }

    public static Pb.Visit ToProto(this VisitView v) => new()
    {
        Id = v.Id.ToProto(),
        HouseholdId = v.HouseholdId.ToProto(),
        VisitedOn = v.VisitedOn.ToProto(),
        HelperName = v.HelperName,
        Findings = v.Findings,
        NextActions = v.NextActions,
        RecordedAt = v.RecordedAt.ToProto(),
        RecordedBy = v.RecordedBy,
    };

    public static Pb.VisitCompliance ToProto(this VisitComplianceView v) => new()
    {
        HouseholdId = v.HouseholdId.ToProto(),
        RegionCode = v.RegionCode,
        VisitsMade = v.VisitsMade,
        VisitsDue = v.VisitsDue,
        Overdue = v.Overdue,
        LastVisitedOn = v.LastVisitedOn?.ToProto(),
    };

    public static Pb.Feed ToProto(this FeedView f)
    {
        var feed = new Pb.Feed
        {
            FeedId = f.FeedId,
            Department = f.Department,
            Period = f.Period,
            Region = f.RegionPrefix,
            ArrivedAt = f.ArrivedAt.ToProto(),
            LastImportedAt = f.LastImportedAt.ToProto(),
            DueOn = f.DueOn?.ToProto(),
            Late = f.Late,
            RowCount = f.RowCount,
            AppliedRows = f.AppliedRows,
            UnchangedRows = f.UnchangedRows,
            DuplicateRows = f.DuplicateRows,
            InvalidRows = f.InvalidRows,
            UnmatchedRows = f.UnmatchedRows,
            OutsideScopeRows = f.OutsideScopeRows,
            MatchRate = ProtoConvert.Ratio(f.MatchRate),
            ErrorRate = ProtoConvert.Ratio(f.ErrorRate),
        };
        feed.Anomalies.AddRange(f.Anomalies);
        return feed;
    }

    public static Pb.RowRejection ToProto(this RowRejection r) => new()
    {
        RowNumber = r.RowNumber,
        Outcome = ProtoConvert.Out<FeedRowOutcome, Pb.FeedRowOutcome>(r.Outcome),
        Reason = r.Reason,
    };

    public static Pb.FeedItem ToProto(this FeedItem item)
    {
        var message = new Pb.FeedItem
        {
            Code = item.Code,
            Description = item.Description,
            Category = ProtoConvert.Out<RecordCategory, Pb.RecordCategory>(item.Category),
            Guarantee = item.Field switch
            {
                GuaranteeField.OutOfSchool => Pb.GuaranteeGap.CompulsoryEducation,
                GuaranteeField.MedicalInsured => Pb.GuaranteeGap.MedicalInsurance,
                GuaranteeField.HousingGrade => Pb.GuaranteeGap.HousingSafety,
                GuaranteeField.WaterQuantity or GuaranteeField.WaterQuality or GuaranteeField.WaterFetchMinutes or GuaranteeField.WaterSupplyRate => Pb.GuaranteeGap.DrinkingWater,
                _ => Pb.GuaranteeGap.Unspecified,
            },
            Exclusion = ProtoConvert.Out<ExclusionKind, Pb.ExclusionKind>(item.Exclusion),
            AmountRequired = item.NeedsAmount,
            ValueRequired = item.NeedsValue,
        };
        message.Departments.AddRange(item.Departments);
        return message;
    }

    public static Pb.HouseholdEvaluation ToProto(this HouseholdEvaluationView e, Guid householdId, DateTimeOffset? evaluatedAt) =>
        Evaluation(householdId, e.RegionCode, e.Category, e.PolicyProvince, e.PolicyVersion, e.Summary, e.Signals, e.GuaranteeGaps, e.Exclusions,
            e.LabourAbilities, evaluatedAt);

    public static Pb.WatchSignalsResponse ToProto(this RiskSignalsDetected change)
    {
        var response = new Pb.WatchSignalsResponse
        {
            Sequence = change.Sequence,
            EventId = change.EventId.ToProto(),
            Evaluation = Evaluation(change.HouseholdId ?? Guid.Empty, change.RegionCode, change.Category, change.PolicyProvince, change.PolicyVersion,
                change.Summary, change.Signals, change.GuaranteeGaps, change.Exclusions, change.LabourAbilities, change.OccurredAt),
        };
        response.PreviousSignalCodes.AddRange(change.PreviousSignalCodes);
        return response;
    }

    private static Pb.HouseholdEvaluation Evaluation(Guid householdId, string regionCode, HouseholdCategory category, string policyProvince, int policyVersion,
        IncomeSummary summary, IReadOnlyList<RiskSignal> signals, IReadOnlyList<GuaranteeGap> gaps, IReadOnlyList<ExclusionFactView> exclusions,
        IReadOnlyList<LabourAbility> labourAbilities, DateTimeOffset? evaluatedAt)
    {
        var evaluation = new Pb.HouseholdEvaluation
        {
            HouseholdId = householdId.ToProto(),
            RegionCode = regionCode,
            Category = ProtoConvert.Out<HouseholdCategory, Pb.HouseholdCategory>(category),
            PolicyProvince = policyProvince,
            PolicyVersion = policyVersion,
            Summary = summary.ToProto(),
            EvaluatedAt = evaluatedAt?.ToProto(),
        };
        evaluation.Signals.AddRange(signals.Select(ToProto));
        evaluation.GuaranteeGaps.AddRange(gaps.Select(g => ProtoConvert.Out<GuaranteeGap, Pb.GuaranteeGap>(g)));
        evaluation.Exclusions.AddRange(exclusions.Select(ToProto));
        evaluation.LabourAbilities.AddRange(labourAbilities.Select(l => ProtoConvert.Out<LabourAbility, Pb.LabourAbility>(l)));
        return evaluation;
    }
}
