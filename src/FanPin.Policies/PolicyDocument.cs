using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace FanPin.Policies;

/// <summary>
/// Reads and writes province policy documents (YAML; JSON is accepted too, being YAML's subset). Every
/// problem is reported at once with the path of the offending value. A document that starts with
/// <c>base: default</c> lists only what differs from the built-in default; the result is always complete.
/// </summary>
public static class PolicyDocument
{
    /// <summary>Parses and validates a document; throws <see cref="PolicyValidationException"/> listing every problem.</summary>
    public static ProvincePolicy Parse(string text, string source = "policy")
    {
        var errors = new List<PolicyError>();
        var root = LoadRoot(text, errors);
        if (root is not null && root.Children.TryGetValue(new YamlScalarNode("base"), out var baseNode))
        {
            if (baseNode is YamlScalarNode { Value: "default" })
            {
                root.Children.Remove(new YamlScalarNode("base"));
                var defaults = LoadRoot(DefaultPolicy.Yaml, errors)!;
                // Identity is never inherited: a version must say which province, version and date it is.
                foreach (var key in IdentityKeys)
                {
                    defaults.Children.Remove(new YamlScalarNode(key));
                }
                root = Overlay(defaults, root);
            }
            else
            {
                errors.Add(new PolicyError("base", "must be 'default' (the built-in default) when present"));
            }
        }
        if (root is null || errors.Count > 0)
        {
            throw new PolicyValidationException(source, errors);
        }
        var policy = Read(new YamlMapReader(root, "", errors));
        if (errors.Count > 0 || policy is null)
        {
            throw new PolicyValidationException(source, errors);
        }
        return policy;
    }

    /// <summary>Reads a file (YAML or JSON).</summary>
    public static ProvincePolicy Load(string path) => Parse(File.ReadAllText(path), Path.GetFileName(path));

    /// <summary>The problems of a policy built in code (for instance with <c>with</c>), checked by the same rules as a document.</summary>
    public static IReadOnlyList<PolicyError> Validate(ProvincePolicy policy)
    {
        try
        {
            Parse(ToYaml(policy), "in memory");
            return [];
        }
        catch (PolicyValidationException ex)
        {
            return ex.Errors;
        }
    }

    private static readonly string[] IdentityKeys = ["province", "version", "effective_from", "title"];

    private static YamlMappingNode? LoadRoot(string text, List<PolicyError> errors)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            errors.Add(new PolicyError($"(line {ex.Start.Line}, column {ex.Start.Column})", ex.InnerException?.Message ?? ex.Message));
            return null;
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            errors.Add(new PolicyError("(document)", "must be a single mapping of keys to values"));
            return null;
        }
        return root;
    }

    /// <summary>Deep merge: mappings merge key by key; scalars and lists of the overlay replace the base's.</summary>
    private static YamlMappingNode Overlay(YamlMappingNode baseMap, YamlMappingNode overlay)
    {
        var merged = new YamlMappingNode();
        foreach (var (key, value) in baseMap.Children)
        {
            merged.Children[key] = value;
        }
        foreach (var (key, value) in overlay.Children)
        {
            merged.Children[key] = merged.Children.TryGetValue(key, out var existing) && existing is YamlMappingNode b && value is YamlMappingNode o
                ? Overlay(b, o)
                : value;
        }
        return merged;
    }

    private static ProvincePolicy? Read(YamlMapReader root)
    {
        var province = root.String("province");
        if (province is not null && !IsProvinceCode(province))
        {
            root.Error("province", $"'{province}' is not a 2-digit province code (11–82), nor '00' for the national default");
        }
        var version = root.Int("version", 1, int.MaxValue);
        var effectiveFrom = root.Date("effective_from");
        var title = root.String("title", required: false) ?? "";
        var monitoring = ReadMonitoring(root.Map("monitoring"));
        var guarantees = ReadGuarantees(root.Map("guarantees"));
        var grading = ReadGrading(root.Map("grading"));
        var identification = ReadIdentification(root.Map("identification"));
        var closing = ReadClosing(root.Map("closing"));
        var visitsMap = root.Map("visits");
        var visitsPerMonth = visitsMap.Int("per_month", 1, 31);
        visitsMap.RejectUnknownKeys();
        var feeds = ReadFeeds(root.Map("department_feeds"));
        var notificationMap = root.Map("notification");
        var escalation = notificationMap.Int("grade_one_escalation_hours", 1, 24 * 30);
        notificationMap.RejectUnknownKeys();
        var insuranceMap = root.Map("insurance");
        var share = insuranceMap.Decimal("share_of_line_per_person", 0m, 1m);
        var line = insuranceMap.Enum<PayoutLine>("line");
        insuranceMap.RejectUnknownKeys();
        var calendar = ReadCalendar(root.Map("calendar"));
        root.RejectUnknownKeys();
        if (province is null || version is null || effectiveFrom is null || monitoring is null || guarantees is null || grading is null
            || identification is null || closing is null || visitsPerMonth is null || feeds is null || escalation is null
            || share is null || line is null || calendar is null)
        {
            return null;
        }
        return new ProvincePolicy(province, version.Value, effectiveFrom.Value, title, monitoring, guarantees, grading, identification,
            closing, new VisitPolicy(visitsPerMonth.Value), feeds, new NotificationPolicy(escalation.Value),
            new InsurancePolicy(share.Value, line.Value), calendar);
    }

    private static bool IsProvinceCode(string text) =>
        text == ProvincePolicy.NationalDefault
        || (text.Length == 2 && text.All(char.IsAsciiDigit) && int.Parse(text, CultureInfo.InvariantCulture) is >= 11 and <= 82);

    private const long MaxFen = 100_000_000_00; // 100 million CNY: anything above is a typo

    private static MonitoringPolicy? ReadMonitoring(YamlMapReader map)
    {
        var line = map.Long("monitoring_line_fen", 1, MaxFen);
        var poverty = map.Long("poverty_line_fen", 1, MaxFen);
        if (line is not null && poverty is not null && poverty > line)
        {
            map.Error("poverty_line_fen", $"{poverty} is above the monitoring line {line}; the monitoring line is a multiple (about 1.5×) of the poverty line");
        }
        var window = map.Enum<IncomeWindowRule>("income_window");
        var rigid = ReadRatio(map.Map("rigid_expenditure_to_income"), 10m);
        var drop = ReadRatio(map.Map("income_drop"), 1m);
        var dropMonths = map.Int("income_drop_months", 1, 12);
        var admit = map.Bool("admit_above_line_without_stable_income");
        var stableMonths = map.Int("stable_income_min_months", 1, 12, required: false);
        var quarter = map.Int("full_screening_quarter", 1, 4);
        var linesMap = map.Map("warning_lines");
        var medical = ReadThreshold(linesMap.Map("medical_self_paid"));
        var disaster = ReadThreshold(linesMap.Map("disaster_loss"));
        var schooling = ReadThreshold(linesMap.Map("schooling"));
        linesMap.RejectUnknownKeys();
        map.RejectUnknownKeys();
        return line is null || poverty is null || poverty > line || window is null || rigid is null || drop is null || dropMonths is null
            || admit is null || quarter is null || medical is null || disaster is null || schooling is null
            ? null
            : new MonitoringPolicy(line.Value, poverty.Value, window.Value, rigid, drop, dropMonths.Value, admit.Value, quarter.Value,
                new WarningLines(medical, disaster, schooling)) { StableIncomeMinMonths = stableMonths };
    }

    private static RatioThreshold? ReadRatio(YamlMapReader map, decimal max)
    {
        var comparison = map.Enum<Comparison>("comparison");
        var ratio = map.Decimal("ratio", 0m, max);
        if (ratio == 0m)
        {
            map.Error("ratio", "must be greater than 0");
            ratio = null;
        }
        map.RejectUnknownKeys();
        return comparison is null || ratio is null ? null : new RatioThreshold(comparison.Value, ratio.Value);
    }

    private static Threshold? ReadThreshold(YamlMapReader map)
    {
        var comparison = map.Enum<Comparison>("comparison");
        var amount = ReadByCategory(map, "amount_fen", 1, MaxFen);
        map.RejectUnknownKeys();
        return comparison is null || amount is null ? null : new Threshold(comparison.Value, amount);
    }

    /// <summary>Either one amount for both categories, or <c>{ poverty_alleviated: .., ordinary: .. }</c>.</summary>
    private static ByCategory<long>? ReadByCategory(YamlMapReader map, string key, long min, long max)
    {
        var node = map.Node(key);
        if (node is null)
        {
            return null;
        }
        if (node is YamlMappingNode)
        {
            var byCategory = map.Map(key);
            var alleviated = byCategory.Long("poverty_alleviated", min, max);
            var ordinary = byCategory.Long("ordinary", min, max);
            byCategory.RejectUnknownKeys();
            return alleviated is null || ordinary is null ? null : new ByCategory<long>(alleviated.Value, ordinary.Value);
        }
        var both = map.Long(key, min, max);
        return both is null ? null : ByCategory<long>.Both(both.Value);
    }

    private static GuaranteePolicy? ReadGuarantees(YamlMapReader map)
    {
        var grades = map.EnumList<HousingSafetyGrade>("unsafe_housing_grades");
        var water = map.Map("water");
        var litres = water.Int("min_litres_per_person_per_day", 1, 1000);
        var quality = water.Bool("quality_standard_required");
        var minutes = water.Int("max_fetch_round_trip_minutes", 1, 600);
        var rate = water.Decimal("min_supply_rate", 0m, 1m);
        water.RejectUnknownKeys();
        map.RejectUnknownKeys();
        return grades is null || litres is null || quality is null || minutes is null || rate is null
            ? null
            : new GuaranteePolicy(grades.ToEquatableList(), new WaterPolicy(litres.Value, quality.Value, minutes.Value, rate.Value));
    }

    private static GradingPolicy? ReadGrading(YamlMapReader map)
    {
        var one = map.Map("grade_one");
        var factor = one.Decimal("income_below_poverty_line_factor", 0.1m, 10m);
        var rigid = ReadRatio(one.Map("rigid_expenditure_to_income"), 10m);
        var drop = ReadRatio(one.Map("income_drop"), 1m);
        var oneAbilities = one.EnumList<LabourAbility>("labour_abilities");
        var oneDays = one.Int("response_working_days", 1, 250);
        one.RejectUnknownKeys();
        var two = map.Map("grade_two");
        var transferShare = two.Decimal("min_transfer_income_share", 0m, 1m);
        var twoAbilities = two.EnumList<LabourAbility>("labour_abilities");
        var twoDays = two.Int("response_working_days", 1, 250);
        two.RejectUnknownKeys();
        var three = map.Map("grade_three");
        var threeAbilities = three.EnumList<LabourAbility>("labour_abilities");
        var threeDays = three.Int("response_working_days", 1, 250);
        // Optional keys added after the first versions were published: absent means the earlier behaviour.
        var unstableSuffices = three.Bool("unstable_income_suffices", required: false) ?? true;
        three.RejectUnknownKeys();
        var escalationDays = map.Int("escalation_working_days", 1, 250, required: false);
        map.RejectUnknownKeys();
        if (oneDays is not null && twoDays is not null && threeDays is not null && !(oneDays <= twoDays && twoDays <= threeDays))
        {
            map.ErrorAt(map.PathOf("grade_one.response_working_days"),
                $"grades must be answered no slower the more severe they are (I ≤ II ≤ III); got {oneDays}, {twoDays}, {threeDays}");
            return null;
        }
        return factor is null || rigid is null || drop is null || oneAbilities is null || oneDays is null || transferShare is null
            || twoAbilities is null || twoDays is null || threeAbilities is null || threeDays is null
            ? null
            : new GradingPolicy(
                new GradeOneRule(factor.Value, rigid, drop, oneAbilities.ToEquatableList(), oneDays.Value),
                new GradeTwoRule(transferShare.Value, twoAbilities.ToEquatableList(), twoDays.Value),
                new GradeThreeRule(threeAbilities.ToEquatableList(), threeDays.Value) { UnstableIncomeSuffices = unstableSuffices })
            {
                EscalationWorkingDays = escalationDays,
            };
    }

    private static IdentificationPolicy? ReadIdentification(YamlMapReader map)
    {
        var verification = map.Map("home_verification");
        var verificationEnabled = verification.Bool("enabled");
        var verificationDays = verification.Int("due_working_days", 1, 60);
        verification.RejectUnknownKeys();
        var appraisal = map.Map("democratic_appraisal");
        var appraisalEnabled = appraisal.Bool("enabled");
        var authorisation = appraisal.Bool("asset_check_authorisation_required");
        appraisal.RejectUnknownKeys();
        var comparison = map.Map("data_comparison");
        var comparisonEnabled = comparison.Bool("enabled");
        var exclusions = comparison.EnumList<ExclusionKind>("exclusions", allowEmpty: true);
        comparison.RejectUnknownKeys();
        var notice = ReadNotice(map.Map("public_notice"));
        var firstVisit = map.Int("first_home_visit_working_days", 1, 60, required: false);
        var deadlineMap = map.Map("decision_deadline");
        var deadlineDays = deadlineMap.Int("working_days", 1, 250);
        var countedFrom = deadlineMap.Enum<DeadlineStart>("counted_from");
        deadlineMap.RejectUnknownKeys();
        map.RejectUnknownKeys();
        var ok = true;
        if (countedFrom == DeadlineStart.VerificationCompleted && verificationEnabled == false)
        {
            deadlineMap.Error("counted_from", "cannot count from verification_completed when home_verification is switched off");
            ok = false;
        }
        if (countedFrom == DeadlineStart.CaseOpened && verificationEnabled == true && deadlineDays < verificationDays)
        {
            deadlineMap.Error("working_days", $"{deadlineDays} is shorter than the home verification deadline ({verificationDays}) it includes");
            ok = false;
        }
        if (firstVisit is not null && verificationDays is not null && firstVisit > verificationDays)
        {
            map.Error("first_home_visit_working_days", $"{firstVisit} is later than the home verification deadline ({verificationDays})");
            ok = false;
        }
        return !ok || verificationEnabled is null || verificationDays is null || appraisalEnabled is null || authorisation is null
            || comparisonEnabled is null || exclusions is null || notice is null || deadlineDays is null || countedFrom is null
            ? null
            : new IdentificationPolicy(
                new HomeVerificationStep(verificationEnabled.Value, verificationDays.Value),
                new DemocraticAppraisalStep(appraisalEnabled.Value, authorisation.Value),
                new DataComparisonStep(comparisonEnabled.Value, exclusions.ToEquatableList()),
                notice,
                firstVisit,
                new DecisionDeadline(deadlineDays.Value, countedFrom.Value));
    }

    private static PublicNoticeStep? ReadNotice(YamlMapReader map)
    {
        var enabled = map.Bool("enabled");
        var days = map.Int("days", 1, 60);
        var counting = map.Enum<DayCounting>("counting");
        var reopens = map.Bool("objection_reopens");
        map.RejectUnknownKeys();
        return enabled is null || days is null || counting is null || reopens is null
            ? null
            : new PublicNoticeStep(enabled.Value, days.Value, counting.Value, reopens.Value);
    }

    private static ClosingPolicy? ReadClosing(YamlMapReader map)
    {
        var appraisal = map.Bool("democratic_appraisal");
        var review = map.Bool("township_review");
        var notice = ReadNotice(map.Map("public_notice"));
        var months = map.Int("stable_income_months", 0, 60);
        var assessment = map.Map("assessment");
        var cadence = assessment.Enum<AssessmentCadence>("cadence");
        var every = assessment.Int("every_months", 1, 12, required: cadence == AssessmentCadence.EveryMonths);
        if (cadence == AssessmentCadence.FourthQuarter && every is not null)
        {
            assessment.Error("every_months", "applies only to cadence every_months");
            every = null;
            cadence = null;
        }
        assessment.RejectUnknownKeys();
        map.RejectUnknownKeys();
        return appraisal is null || review is null || notice is null || months is null || cadence is null
            || (cadence == AssessmentCadence.EveryMonths && every is null)
            ? null
            : new ClosingPolicy(appraisal.Value, review.Value, notice, months.Value, new AssessmentSchedule(cadence.Value, every));
    }

    private static DepartmentFeedPolicy? ReadFeeds(YamlMapReader map)
    {
        var due = map.Int("due_day_of_month", 1, 28);
        var items = map.Sequence("exceptions", allowEmpty: true);
        var schedules = new List<DepartmentFeedSchedule>();
        var ok = items is not null;
        foreach (var (node, path) in items ?? [])
        {
            var item = new YamlMapReader(node as YamlMappingNode, path, ErrorsOf(map));
            if (node is not YamlMappingNode)
            {
                item.ErrorAt(path, "must be a mapping with department and months");
                ok = false;
                continue;
            }
            var department = item.String("department");
            if (department is not null && !Departments.All.Contains(department))
            {
                item.Error("department", $"'{department}' is not a known department; expected one of: {string.Join(", ", Departments.All)}");
                department = null;
            }
            else if (department is not null && schedules.Any(s => s.Department == department))
            {
                item.Error("department", $"'{department}' is listed twice");
                department = null;
            }
            var monthItems = item.Sequence("months");
            var months = new List<int>();
            foreach (var (monthNode, monthPath) in monthItems ?? [])
            {
                var month = YamlMapReader.ParseLong(YamlMapReader.Scalar(monthNode, monthPath, ErrorsOf(map)), monthPath, 1, 12, ErrorsOf(map));
                if (month is null)
                {
                    ok = false;
                }
                else if (months.Contains((int)month))
                {
                    item.ErrorAt(monthPath, $"month {month} is listed twice");
                    ok = false;
                }
                else
                {
                    months.Add((int)month);
                }
            }
            item.RejectUnknownKeys();
            if (department is null || monthItems is null)
            {
                ok = false;
                continue;
            }
            schedules.Add(new DepartmentFeedSchedule(department, months.Order().ToEquatableList()));
        }
        var expected = new List<string>();
        foreach (var (node, path) in map.Sequence("expected", allowEmpty: true) ?? [])
        {
            var department = YamlMapReader.Scalar(node, path, ErrorsOf(map));
            if (department is null)
            {
                ok = false;
            }
            else if (!Departments.All.Contains(department))
            {
                map.ErrorAt(path, $"'{department}' is not a known department; expected one of: {string.Join(", ", Departments.All)}");
                ok = false;
            }
            else if (expected.Contains(department))
            {
                map.ErrorAt(path, $"'{department}' is listed twice");
                ok = false;
            }
            else
            {
                expected.Add(department);
            }
        }
        if (!map.Has("expected"))
        {
            ok = false;
        }
        var anomalyMap = map.Map("anomaly");
        var usual = anomalyMap.Int("usual_over_last_feeds", 1, 36);
        var matchShare = anomalyMap.Decimal("min_match_rate_share_of_usual", 0m, 1m);
        var rowShare = anomalyMap.Decimal("min_row_count_share_of_usual", 0m, 1m);
        var errorRate = anomalyMap.Decimal("max_error_rate", 0m, 1m);
        anomalyMap.RejectUnknownKeys();
        map.RejectUnknownKeys();
        return !ok || due is null || usual is null || matchShare is null || rowShare is null || errorRate is null
            ? null
            : new DepartmentFeedPolicy(due.Value, schedules.ToEquatableList(), expected.ToEquatableList(),
                new FeedAnomalyRule(usual.Value, matchShare.Value, rowShare.Value, errorRate.Value));
    }

    private static HolidayCalendar? ReadCalendar(YamlMapReader map)
    {
        var holidays = new List<Holiday>();
        var ok = true;
        var errors = ErrorsOf(map);
        foreach (var (node, path) in map.Sequence("holidays", allowEmpty: true) ?? [])
        {
            if (node is not YamlMappingNode mapping)
            {
                errors.Add(new PolicyError(path, "must be a mapping with name, from and to"));
                ok = false;
                continue;
            }
            var item = new YamlMapReader(mapping, path, errors);
            var name = item.String("name");
            var from = item.Date("from");
            var to = item.Date("to", required: false) ?? from;
            item.RejectUnknownKeys();
            if (from is not null && to is not null && to < from)
            {
                item.Error("to", $"{to:yyyy-MM-dd} is before from ({from:yyyy-MM-dd})");
                ok = false;
                continue;
            }
            if (from is not null && to is not null && to.Value.DayNumber - from.Value.DayNumber > 30)
            {
                item.Error("to", "a holiday period is at most 31 days");
                ok = false;
                continue;
            }
            if (name is null || from is null || to is null)
            {
                ok = false;
                continue;
            }
            holidays.Add(new Holiday(name, from.Value, to.Value));
        }
        var workingDays = new List<DateOnly>();
        foreach (var (node, path) in map.Sequence("working_weekend_days", allowEmpty: true) ?? [])
        {
            var day = YamlMapReader.ParseDate(YamlMapReader.Scalar(node, path, errors), path, errors);
            if (day is null)
            {
                ok = false;
            }
            else if (day.Value.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                errors.Add(new PolicyError(path, $"{day:yyyy-MM-dd} is a {day.Value.DayOfWeek}; an adjusted working day (调休) is a Saturday or Sunday"));
                ok = false;
            }
            else if (holidays.FirstOrDefault(h => h.From <= day && day <= h.To) is { } holiday)
            {
                errors.Add(new PolicyError(path, $"{day:yyyy-MM-dd} falls inside the holiday '{holiday.Name}'"));
                ok = false;
            }
            else if (workingDays.Contains(day.Value))
            {
                errors.Add(new PolicyError(path, $"{day:yyyy-MM-dd} is listed twice"));
                ok = false;
            }
            else
            {
                workingDays.Add(day.Value);
            }
        }
        if (!map.Has("holidays") || !map.Has("working_weekend_days"))
        {
            ok = false;
        }
        map.RejectUnknownKeys();
        return ok && map.IsPresent
            ? new HolidayCalendar(holidays.OrderBy(h => h.From).ToEquatableList(), workingDays.Order().ToEquatableList())
            : null;
    }

    private static List<PolicyError> ErrorsOf(YamlMapReader map) => map.Errors;

    /// <summary>Writes a complete document (every key), the form a published version is stored in.</summary>
    public static string ToYaml(ProvincePolicy policy)
    {
        var root = new YamlMappingNode
        {
            { "province", Quoted(policy.Province) },
            { "version", Plain(policy.Version) },
            { "effective_from", Plain(policy.EffectiveFrom) },
            { "title", Quoted(policy.Title) },
            {
                "monitoring", new YamlMappingNode
                {
                    { "monitoring_line_fen", Plain(policy.Monitoring.MonitoringLineFen) },
                    { "poverty_line_fen", Plain(policy.Monitoring.PovertyLineFen) },
                    { "income_window", Plain(YamlNames.Of(policy.Monitoring.IncomeWindow)) },
                    { "rigid_expenditure_to_income", Ratio(policy.Monitoring.RigidExpenditureToIncome) },
                    { "income_drop", Ratio(policy.Monitoring.IncomeDrop) },
                    { "income_drop_months", Plain(policy.Monitoring.IncomeDropMonths) },
                    { "admit_above_line_without_stable_income", Plain(policy.Monitoring.AdmitAboveLineWithoutStableIncome) },
                    { "full_screening_quarter", Plain(policy.Monitoring.FullScreeningQuarter) },
                    {
                        "warning_lines", new YamlMappingNode
                        {
                            { "medical_self_paid", Threshold(policy.Monitoring.WarningLines.MedicalSelfPaid) },
                            { "disaster_loss", Threshold(policy.Monitoring.WarningLines.DisasterLoss) },
                            { "schooling", Threshold(policy.Monitoring.WarningLines.Schooling) },
                        }
                    },
                }
            },
            {
                "guarantees", new YamlMappingNode
                {
                    { "unsafe_housing_grades", EnumList(policy.Guarantees.UnsafeHousingGrades) },
                    {
                        "water", new YamlMappingNode
                        {
                            { "min_litres_per_person_per_day", Plain(policy.Guarantees.Water.MinLitresPerPersonPerDay) },
                            { "quality_standard_required", Plain(policy.Guarantees.Water.QualityStandardRequired) },
                            { "max_fetch_round_trip_minutes", Plain(policy.Guarantees.Water.MaxFetchRoundTripMinutes) },
                            { "min_supply_rate", Plain(policy.Guarantees.Water.MinSupplyRate) },
                        }
                    },
                }
            },
            {
                "grading", new YamlMappingNode
                {
                    {
                        "grade_one", new YamlMappingNode
                        {
                            { "income_below_poverty_line_factor", Plain(policy.Grading.GradeOne.IncomeBelowPovertyLineFactor) },
                            { "rigid_expenditure_to_income", Ratio(policy.Grading.GradeOne.RigidExpenditureToIncome) },
                            { "income_drop", Ratio(policy.Grading.GradeOne.IncomeDrop) },
                            { "labour_abilities", EnumList(policy.Grading.GradeOne.LabourAbilities) },
                            { "response_working_days", Plain(policy.Grading.GradeOne.ResponseWorkingDays) },
                        }
                    },
                    {
                        "grade_two", new YamlMappingNode
                        {
                            { "min_transfer_income_share", Plain(policy.Grading.GradeTwo.MinTransferIncomeShare) },
                            { "labour_abilities", EnumList(policy.Grading.GradeTwo.LabourAbilities) },
                            { "response_working_days", Plain(policy.Grading.GradeTwo.ResponseWorkingDays) },
                        }
                    },
                    {
                        "grade_three", new YamlMappingNode
                        {
                            { "labour_abilities", EnumList(policy.Grading.GradeThree.LabourAbilities) },
                            { "response_working_days", Plain(policy.Grading.GradeThree.ResponseWorkingDays) },
                            { "unstable_income_suffices", Plain(policy.Grading.GradeThree.UnstableIncomeSuffices) },
                        }
                    },
                }
            },
            { "identification", Identification(policy.Identification) },
            {
                "closing", new YamlMappingNode
                {
                    { "democratic_appraisal", Plain(policy.Closing.DemocraticAppraisal) },
                    { "township_review", Plain(policy.Closing.TownshipReview) },
                    { "public_notice", Notice(policy.Closing.PublicNotice) },
                    { "stable_income_months", Plain(policy.Closing.StableIncomeMonths) },
                    { "assessment", Assessment(policy.Closing.Assessment) },
                }
            },
            { "visits", new YamlMappingNode { { "per_month", Plain(policy.Visits.PerMonth) } } },
            {
                "department_feeds", new YamlMappingNode
                {
                    { "due_day_of_month", Plain(policy.DepartmentFeeds.DueDayOfMonth) },
                    {
                        "exceptions", new YamlSequenceNode(policy.DepartmentFeeds.Exceptions.Select(e => (YamlNode)new YamlMappingNode
                        {
                            { "department", Plain(e.Department) },
                            { "months", Flow(e.Months.Select(m => Plain(m))) },
                        }))
                    },
                    { "expected", Flow(policy.DepartmentFeeds.Expected.Select(Plain)) },
                    {
                        "anomaly", new YamlMappingNode
                        {
                            { "usual_over_last_feeds", Plain(policy.DepartmentFeeds.Anomaly.UsualOverLastFeeds) },
                            { "min_match_rate_share_of_usual", Plain(policy.DepartmentFeeds.Anomaly.MinMatchRateShareOfUsual) },
                            { "min_row_count_share_of_usual", Plain(policy.DepartmentFeeds.Anomaly.MinRowCountShareOfUsual) },
                            { "max_error_rate", Plain(policy.DepartmentFeeds.Anomaly.MaxErrorRate) },
                        }
                    },
                }
            },
            { "notification", new YamlMappingNode { { "grade_one_escalation_hours", Plain(policy.Notification.GradeOneEscalationHours) } } },
            {
                "insurance", new YamlMappingNode
                {
                    { "share_of_line_per_person", Plain(policy.Insurance.ShareOfLinePerPerson) },
                    { "line", Plain(YamlNames.Of(policy.Insurance.Line)) },
                }
            },
            {
                "calendar", new YamlMappingNode
                {
                    {
                        "holidays", new YamlSequenceNode(policy.Calendar.Holidays.Select(h => (YamlNode)new YamlMappingNode(
                            new YamlScalarNode("name"), Quoted(h.Name),
                            new YamlScalarNode("from"), Plain(h.From),
                            new YamlScalarNode("to"), Plain(h.To))
                        { Style = MappingStyle.Flow }))
                    },
                    { "working_weekend_days", Flow(policy.Calendar.WorkingWeekendDays.Select(d => Plain(d))) },
                }
            },
        };
        if (policy.Monitoring.StableIncomeMinMonths is { } stableMonths)
        {
            ((YamlMappingNode)root.Children[new YamlScalarNode("monitoring")]).Add("stable_income_min_months", Plain(stableMonths));
        }
        if (policy.Grading.EscalationWorkingDays is { } escalationDays)
        {
            ((YamlMappingNode)root.Children[new YamlScalarNode("grading")]).Add("escalation_working_days", Plain(escalationDays));
        }
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        var text = writer.ToString();
        // YamlStream ends a document with "..."; a policy file is one document.
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    private static YamlMappingNode Identification(IdentificationPolicy p)
    {
        var map = new YamlMappingNode
        {
            { "home_verification", new YamlMappingNode { { "enabled", Plain(p.HomeVerification.Enabled) }, { "due_working_days", Plain(p.HomeVerification.DueWorkingDays) } } },
            {
                "democratic_appraisal", new YamlMappingNode
                {
                    { "enabled", Plain(p.DemocraticAppraisal.Enabled) },
                    { "asset_check_authorisation_required", Plain(p.DemocraticAppraisal.AssetCheckAuthorisationRequired) },
                }
            },
            { "data_comparison", new YamlMappingNode { { "enabled", Plain(p.DataComparison.Enabled) }, { "exclusions", EnumList(p.DataComparison.Exclusions) } } },
            { "public_notice", Notice(p.PublicNotice) },
        };
        if (p.FirstHomeVisitWorkingDays is { } first)
        {
            map.Add("first_home_visit_working_days", Plain(first));
        }
        map.Add("decision_deadline", new YamlMappingNode
        {
            { "working_days", Plain(p.DecisionDeadline.WorkingDays) },
            { "counted_from", Plain(YamlNames.Of(p.DecisionDeadline.CountedFrom)) },
        });
        return map;
    }

    private static YamlMappingNode Assessment(AssessmentSchedule schedule)
    {
        var map = new YamlMappingNode { { "cadence", Plain(YamlNames.Of(schedule.Cadence)) } };
        if (schedule.Cadence == AssessmentCadence.EveryMonths && schedule.EveryMonths is { } every)
        {
            map.Add("every_months", Plain(every));
        }
        return map;
    }

    private static YamlMappingNode Notice(PublicNoticeStep notice) => new()
    {
        { "enabled", Plain(notice.Enabled) },
        { "days", Plain(notice.Days) },
        { "counting", Plain(YamlNames.Of(notice.Counting)) },
        { "objection_reopens", Plain(notice.ObjectionReopens) },
    };

    private static YamlMappingNode Ratio(RatioThreshold ratio) => new(
        new YamlScalarNode("comparison"), Plain(YamlNames.Of(ratio.Comparison)),
        new YamlScalarNode("ratio"), Plain(ratio.Ratio))
    { Style = MappingStyle.Flow };

    private static YamlMappingNode Threshold(Threshold threshold)
    {
        YamlNode amount = threshold.AmountFen.PovertyAlleviated == threshold.AmountFen.Ordinary
            ? Plain(threshold.AmountFen.Ordinary)
            : new YamlMappingNode
            {
                { "poverty_alleviated", Plain(threshold.AmountFen.PovertyAlleviated) },
                { "ordinary", Plain(threshold.AmountFen.Ordinary) },
            };
        return new YamlMappingNode { { "comparison", Plain(YamlNames.Of(threshold.Comparison)) }, { "amount_fen", amount } };
    }

    private static YamlSequenceNode EnumList<T>(IEnumerable<T> values)
        where T : struct, Enum => Flow(values.Select(v => Plain(YamlNames.Of(v))));

    private static YamlSequenceNode Flow(IEnumerable<YamlScalarNode> items) => new(items) { Style = SequenceStyle.Flow };

    private static YamlScalarNode Plain(string value) => new(value) { Style = ScalarStyle.Plain };

    private static YamlScalarNode Plain(long value) => Plain(value.ToString(CultureInfo.InvariantCulture));

    private static YamlScalarNode Plain(decimal value) => Plain(value.ToString(CultureInfo.InvariantCulture));

    private static YamlScalarNode Plain(bool value) => Plain(value ? "true" : "false");

    private static YamlScalarNode Plain(DateOnly value) => Plain(value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    private static YamlScalarNode Quoted(string value) => new(value) { Style = ScalarStyle.DoubleQuoted };
}
