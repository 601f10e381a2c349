using System.Globalization;
using FanPin.Policies;

namespace FanPin.Cli.Datagen;

/// <summary>A run of consecutive households of one county, generated as a unit (on any thread: output is independent of the split).</summary>
/// <param name="Start">First household (0-based).</param>
/// <param name="End">One past the last.</param>
/// <param name="CountyStart">The county's first household (ID numbers are unique per county).</param>
/// <param name="CountyHouseholds">Households of the county.</param>
public sealed record Chunk(int Start, int End, int CountyStart, int CountyHouseholds);

/// <summary>What a chunk produced: the lines of households.csv and of every feed file, and counts.</summary>
public sealed class ChunkOutput
{
    /// <summary>Output buffers for <paramref name="feedFiles"/> files.</summary>
    public ChunkOutput(int feedFiles)
    {
        Feeds = new ByteSink[feedFiles];
        FeedRows = new int[feedFiles];
        for (var i = 0; i < feedFiles; i++)
        {
            Feeds[i] = new ByteSink(256);
        }
    }

    /// <summary>households.csv lines.</summary>
    public ByteSink Households { get; } = new(1 << 16);

    /// <summary>Feed lines per file.</summary>
    public ByteSink[] Feeds { get; }

    /// <summary>Feed rows per file.</summary>
    public int[] FeedRows { get; }

    /// <summary>Households written.</summary>
    public int HouseholdCount { get; set; }

    /// <summary>Members written.</summary>
    public int MemberCount { get; set; }

    /// <summary>Empties the buffers for reuse.</summary>
    public void Clear()
    {
        Households.Clear();
        for (var i = 0; i < Feeds.Length; i++)
        {
            Feeds[i].Clear();
            FeedRows[i] = 0;
        }
        HouseholdCount = 0;
        MemberCount = 0;
    }
}

/// <summary>
/// Generates a synthetic province: households with members and their monthly department feeds, household by
/// household from a per-household random stream (deterministic by seed, independent of threads). Amounts are
/// multiples of the policy's lines (monitoring line, warning lines, water standard), so the share of households
/// that cross a line is the generator's profile rate whatever the policy's figures are.
/// </summary>
public sealed class ProvinceGenerator
{
    /// <summary>Households per chunk.</summary>
    public const int ChunkSize = 4096;

    /// <summary>Most members of a generated household (ID numbers rely on it).</summary>
    public const int MaxMembers = 8;

    private readonly DatagenSettings _settings;
    private readonly ProvincePolicy _policy;
    private readonly IReadOnlyList<VillageNode> _villages;
    private readonly byte[][] _villageCodes;
    private readonly byte[][] _monthText;
    private readonly int[,] _fileOf; // [department, month index] -> feed file
    private readonly int _todayDay;

    /// <summary>Prepares generation of <paramref name="tree"/> under <paramref name="policy"/>.</summary>
    public ProvinceGenerator(DatagenSettings settings, RegionTree tree, ProvincePolicy policy)
    {
        _settings = settings;
        _policy = policy;
        _villages = tree.Villages;
        if (_villages.Count == 0)
        {
            throw new ArgumentException("the selected counties have no townships");
        }
        _villageCodes = _villages.Select(v => U8.Of(v.Code)).ToArray();
        _monthText = Enumerable.Range(0, settings.Months).Select(i => U8.Of(settings.FirstMonth.AddMonths(i).ToString())).ToArray();
        _todayDay = settings.Today.DayNumber;
        var lastPeriod = settings.LastMonth.AddMonths(1);
        var files = new List<FeedFile>();
        _fileOf = new int[DatagenFeeds.Departments.Count, settings.Months];
        for (var d = 0; d < DatagenFeeds.Departments.Count; d++)
        {
            var department = DatagenFeeds.Departments[d];
            for (var i = 0; i < settings.Months; i++)
            {
                var file = new FeedFile(department, DatagenFeeds.PeriodOf(policy.DepartmentFeeds, department, settings.FirstMonth.AddMonths(i), lastPeriod));
                var index = files.IndexOf(file);
                if (index < 0)
                {
                    files.Add(file);
                    index = files.Count - 1;
                }
                _fileOf[d, i] = index;
            }
        }
        FeedFiles = files;
        Chunks = BuildChunks();
    }

    /// <summary>The feed files, in output order.</summary>
    public IReadOnlyList<FeedFile> FeedFiles { get; }

    /// <summary>The chunks, in household order.</summary>
    public IReadOnlyList<Chunk> Chunks { get; }

    private List<Chunk> BuildChunks()
    {
        long n = _settings.Households, v = _villages.Count;
        var chunks = new List<Chunk>();
        var firstVillage = 0;
        while (firstVillage < _villages.Count)
        {
            var county = _villages[firstVillage].CountyCode;
            var endVillage = firstVillage;
            while (endVillage < _villages.Count && _villages[endVillage].CountyCode == county)
            {
                endVillage++;
            }
            // Household h lives in village floor(h × V / N): the first household of village i is ceil(i × N / V).
            var start = (int)(((firstVillage * n) + v - 1) / v);
            var end = (int)(((endVillage * n) + v - 1) / v);
            if (end - start > DatagenSettings.MaxHouseholdsPerCounty)
            {
                throw new ArgumentException(
                    $"county {county} would hold {end - start:N0} households; at most {DatagenSettings.MaxHouseholdsPerCounty:N0} per county (include more counties)");
            }
            for (var s = start; s < end; s += ChunkSize)
            {
                chunks.Add(new Chunk(s, Math.Min(end, s + ChunkSize), start, end - start));
            }
            firstVillage = endVillage;
        }
        return chunks;
    }

    /// <summary>Generates <paramref name="chunk"/> into <paramref name="output"/> (cleared first).</summary>
    public void Generate(Chunk chunk, ChunkOutput output)
    {
        output.Clear();
        var writer = new HouseholdWriter(this, output);
        for (var h = chunk.Start; h < chunk.End; h++)
        {
            writer.Write(h, chunk);
        }
    }

    /// <summary>The generation of one household at a time (buffers reused).</summary>
    private sealed class HouseholdWriter(ProvinceGenerator g, ChunkOutput output)
    {
        private static readonly byte[] Comma = [(byte)','];
        private static readonly byte[][] Relations = Enum.GetNames<GenRelation>().Select(U8.Of).ToArray();
        private static readonly byte[][] Labours = Enum.GetNames<GenLabour>().Select(U8.Of).ToArray();
        private static readonly byte[][] Healths = Enum.GetNames<GenHealth>().Select(U8.Of).ToArray();
        private static readonly byte[][] Schoolings = Enum.GetNames<GenSchooling>().Select(U8.Of).ToArray();
        private static readonly byte[][] Employments = Enum.GetNames<GenEmployment>().Select(U8.Of).ToArray();
        private static readonly byte[] PovertyAlleviated = U8.Of(nameof(HouseholdCategory.PovertyAlleviated)), Ordinary = U8.Of(nameof(HouseholdCategory.Ordinary));
        private static readonly byte[] True = U8.Of("true"), False = U8.Of("false"), Yes = U8.Of("yes"), No = U8.Of("no");

        private readonly Member[] _members = Enumerable.Range(0, MaxMembers).Select(_ => new Member()).ToArray();
        private readonly List<Stream> _streams = [];
        private readonly List<Event> _events = [];
        private readonly ByteSink _reference = new(64);
        private int _count;
        private Rng _rng = new(0);
        private int _household;
        private HouseholdCategory _category;

        private long Line => g._policy.Monitoring.MonitoringLineFen;

        public void Write(int h, Chunk chunk)
        {
            _rng = Rng.For(g._settings.Seed, 2, h);
            _household = h;
            _count = 0;
            _streams.Clear();
            _events.Clear();
            var profile = DrawProfile();
            _category = _rng.Chance(profile == HouseholdProfile.Stable ? DatagenRates.PovertyAlleviatedStable : DatagenRates.PovertyAlleviatedAtRisk)
                ? HouseholdCategory.PovertyAlleviated : HouseholdCategory.Ordinary;
            Compose(profile);
            var minimumLiving = profile is HouseholdProfile.LowIncome or HouseholdProfile.LostLabour ? _rng.Chance(0.4)
                : profile == HouseholdProfile.Stable ? _rng.Chance(0.02) : _rng.Chance(0.15);
            var extremePoverty = profile == HouseholdProfile.NoLabourTransfers && _count == 1 && _rng.Chance(0.6);
            if (extremePoverty)
            {
                minimumLiving = false;
            }
            else if (profile == HouseholdProfile.NoLabourTransfers)
            {
                minimumLiving = true; // living on transfers: 低保 unless 特困
            }
            Income(profile, minimumLiving, extremePoverty);
            Risks(profile);
            Exclusions(profile);
            // Last: a guarantee gap may have added a member.
            AssignIdNumbers(h - chunk.CountyStart, chunk.CountyHouseholds, g._villages[(int)((long)h * g._villages.Count / g._settings.Households)].CountyCode);
            WriteHousehold(h, minimumLiving, extremePoverty);
            WriteFeeds();
            output.HouseholdCount++;
            output.MemberCount += _count;
        }

        private HouseholdProfile DrawProfile()
        {
            var u = _rng.NextDouble();
            foreach (var (profile, rate) in DatagenRates.AtRisk)
            {
                if (u < rate)
                {
                    return profile;
                }
                u -= rate;
            }
            return HouseholdProfile.Stable;
        }

        // ---- members ----

        private Member Add(GenRelation relation, int age)
        {
            var m = _members[_count++];
            m.Reset(relation, Math.Clamp(age, 0, 100), _rng.Chance(0.5));
            return m;
        }

        private void Compose(HouseholdProfile profile)
        {
            switch (profile)
            {
                case HouseholdProfile.NoLabourTransfers:
                {
                    var head = Add(GenRelation.Head, _rng.Next(70, 89));
                    if (_rng.Chance(0.5))
                    {
                        Add(GenRelation.Spouse, head.Age + _rng.Next(-4, 4)).Male = !head.Male;
                    }
                    for (var i = 0; i < _count; i++)
                    {
                        Facts(_members[i], chronicBoost: 0.3);
                        _members[i].Age = Math.Max(_members[i].Age, 70);
                        _members[i].Labour = GenLabour.None;
                        if (_members[i].Health is GenHealth.SeriousIllness or GenHealth.Disability)
                        {
                            _members[i].Health = GenHealth.Chronic;
                            _members[i].Disability = 0;
                        }
                    }
                    return;
                }
                case HouseholdProfile.PartialLabour:
                {
                    var head = Add(GenRelation.Head, _rng.Next(50, 65));
                    head.Health = GenHealth.Chronic;
                    head.Labour = GenLabour.Partial;
                    if (_rng.Chance(0.8))
                    {
                        var spouse = Add(GenRelation.Spouse, head.Age + _rng.Next(-5, 5));
                        spouse.Male = !head.Male;
                        spouse.Health = _rng.Chance(0.5) ? GenHealth.Chronic : GenHealth.Healthy;
                        spouse.Labour = GenLabour.Partial;
                    }
                    if (_rng.Chance(0.4))
                    {
                        Add(GenRelation.Grandchild, _rng.Next(3, 13));
                    }
                    FinishFacts(keepLabourOfFirst: _count);
                    for (var i = 0; i < _count; i++)
                    {
                        if (_members[i].Labour == GenLabour.Full)
                        {
                            _members[i].Labour = GenLabour.Partial;
                        }
                        if (_members[i].Labour == GenLabour.Partial && _rng.Chance(0.5))
                        {
                            _members[i].Employment = GenEmployment.InsideCounty;
                            _members[i].EmploymentMonths = _rng.Next(2, 7);
                        }
                    }
                    return;
                }
                case HouseholdProfile.LostLabour:
                {
                    var head = Add(GenRelation.Head, _rng.Next(40, 70));
                    if (_rng.Chance(0.6))
                    {
                        head.Health = GenHealth.Disability;
                        head.Disability = _rng.Next(1, 3);
                    }
                    else
                    {
                        head.Health = GenHealth.SeriousIllness;
                    }
                    head.Labour = GenLabour.Lost;
                    if (_rng.Chance(0.5))
                    {
                        var parent = Add(GenRelation.Parent, Math.Max(72, head.Age + _rng.Next(20, 30)));
                        parent.Labour = GenLabour.None;
                    }
                    if (_rng.Chance(0.4))
                    {
                        Add(GenRelation.Child, _rng.Next(4, 15));
                    }
                    FinishFacts(keepLabourOfFirst: 1);
                    for (var i = 1; i < _count; i++)
                    {
                        _members[i].Labour = _members[i].Labour == GenLabour.Lost ? GenLabour.Lost : GenLabour.None;
                        _members[i].Employment = GenEmployment.None;
                        _members[i].EmploymentMonths = 0;
                    }
                    return;
                }
                default:
                    ComposeFamily(profile == HouseholdProfile.SchoolingCost);
                    FinishFacts(keepLabourOfFirst: 0);
                    return;
            }
        }

        private void ComposeFamily(bool needsStudent)
        {
            if (_rng.Chance(0.12))
            {
                var elder = Add(GenRelation.Head, _rng.Next(60, 86));
                if (_rng.Chance(0.6))
                {
                    Add(GenRelation.Spouse, elder.Age + _rng.Next(-4, 4)).Male = !elder.Male;
                }
                if (!needsStudent)
                {
                    return;
                }
            }
            var head = _count > 0 ? _members[0] : Add(GenRelation.Head, _rng.Next(25, 65));
            head.Male = _rng.Chance(0.85) || head.Male;
            if (_count == 1 && _rng.Chance(0.88))
            {
                Add(GenRelation.Spouse, head.Age + _rng.Next(-5, 4)).Male = !head.Male;
            }
            var children = head.Age < 70 ? _rng.Next(0, 4) : 0;
            for (var i = 0; i < children && _count < MaxMembers - 1; i++)
            {
                var age = head.Age - _rng.Next(20, 36);
                if (age >= 0)
                {
                    Add(GenRelation.Child, age);
                }
            }
            if (head.Age < 60 && _rng.Chance(0.25) && _count < MaxMembers - 1)
            {
                var parent = Add(GenRelation.Parent, Math.Min(95, head.Age + _rng.Next(22, 34)));
                if (_rng.Chance(0.5) && _count < MaxMembers - 1)
                {
                    Add(GenRelation.Parent, Math.Min(95, parent.Age + _rng.Next(-3, 3))).Male = !parent.Male;
                }
            }
            if (head.Age >= 50 && _rng.Chance(0.3))
            {
                var grandchildren = _rng.Next(1, 3);
                for (var i = 0; i < grandchildren && _count < MaxMembers - 1; i++)
                {
                    Add(GenRelation.Grandchild, _rng.Next(0, 13));
                }
            }
            if (needsStudent && !Enumerable.Range(0, _count).Any(i => _members[i].Age is >= 16 and <= 21))
            {
                Add(GenRelation.Child, _rng.Next(16, 22));
            }
        }

        /// <summary>Health, schooling, labour, employment and insurance of members not yet set up, from age.</summary>
        private void FinishFacts(int keepLabourOfFirst)
        {
            for (var i = 0; i < _count; i++)
            {
                var m = _members[i];
                if (i < keepLabourOfFirst)
                {
                    Schooling(m);
                    Insurance(m);
                    continue;
                }
                if (m.Health == GenHealth.Healthy)
                {
                    Facts(m, 0);
                }
                else
                {
                    Schooling(m);
                    Labour(m);
                    Employment(m);
                    Insurance(m);
                }
            }
        }

        private void Facts(Member m, double chronicBoost)
        {
            var u = _rng.NextDouble();
            var chronic = 0.03 + (m.Age / 100.0 * 0.25) + chronicBoost;
            if (u < 0.025)
            {
                m.Health = GenHealth.Disability;
                m.Disability = _rng.Next(1, 5);
            }
            else if (u < 0.035)
            {
                m.Health = GenHealth.SeriousIllness;
            }
            else if (u < 0.035 + chronic)
            {
                m.Health = GenHealth.Chronic;
            }
            Schooling(m);
            Labour(m);
            Employment(m);
            Insurance(m);
        }

        private void Schooling(Member m)
        {
            m.Schooling = m.Age switch
            {
                < 3 => GenSchooling.NotInSchool,
                < 6 => GenSchooling.Preschool,
                < 15 => GenSchooling.Compulsory,
                < 18 => _rng.NextDouble() switch { < 0.55 => GenSchooling.SeniorHigh, < 0.85 => GenSchooling.Vocational, _ => GenSchooling.NotInSchool },
                < 22 => _rng.Chance(0.35) ? GenSchooling.University : GenSchooling.NotInSchool,
                _ => GenSchooling.NotInSchool,
            };
        }

        private void Labour(Member m)
        {
            var student = m.Schooling is not (GenSchooling.NotInSchool or GenSchooling.Dropout);
            m.Labour = m.Age < 16 || student ? GenLabour.None
                : m.Health == GenHealth.Disability ? (m.Disability <= 2 ? GenLabour.Lost : GenLabour.Partial)
                : m.Health == GenHealth.SeriousIllness ? (_rng.Chance(0.5) ? GenLabour.Lost : GenLabour.Partial)
                : m.Age >= 70 ? GenLabour.None
                : m.Age >= 60 ? (m.Health == GenHealth.Chronic ? GenLabour.Partial : _rng.Chance(0.4) ? GenLabour.Full : GenLabour.Partial)
                : m.Health == GenHealth.Chronic ? GenLabour.Partial
                : GenLabour.Full;
        }

        private void Employment(Member m)
        {
            if (m.Labour == GenLabour.Full && m.Age is >= 18 and < 60 && _rng.Chance(0.7))
            {
                m.Employment = _rng.NextDouble() switch { < 0.4 => GenEmployment.OutsideProvince, < 0.7 => GenEmployment.InsideProvince, _ => GenEmployment.InsideCounty };
                m.EmploymentMonths = _rng.Next(6, 13);
            }
            else if (m.Labour == GenLabour.Partial && m.Age is >= 18 and < 65 && _rng.Chance(0.25))
            {
                m.Employment = GenEmployment.InsideCounty;
                m.EmploymentMonths = _rng.Next(2, 9);
            }
        }

        private void Insurance(Member m)
        {
            m.MedicalInsured = true;
            m.PensionInsured = m.Age >= 16 && m.Schooling is GenSchooling.NotInSchool or GenSchooling.Dropout && _rng.Chance(0.88);
        }

        /// <summary>
        /// Valid, unique ID numbers: address code = the county, sequence = 2 × (household mod 500) + sex, and the birth date
        /// moved by less than <c>period</c> days so that it is ≡ (household / 500 × 8 + member) (mod period). Two persons of a
        /// county with the same sequence then differ in that residue, hence in birth date.
        /// </summary>
        private void AssignIdNumbers(int k, int countyHouseholds, string countyCode)
        {
            var period = (((countyHouseholds - 1) / 500) + 1) * MaxMembers;
            Span<char> first17 = stackalloc char[17];
            countyCode.AsSpan(0, 6).CopyTo(first17);
            for (var i = 0; i < _count; i++)
            {
                var m = _members[i];
                var desired = g._todayDay - (int)(m.Age * 365.25) - _rng.Next(1, 365);
                var residue = ((k / 500) * MaxMembers) + i;
                var r = (((desired - residue) % period) + period) % period;
                var day = desired - r + (r > period / 2 ? period : 0);
                while (day >= g._todayDay)
                {
                    day -= period;
                }
                var birth = DateOnly.FromDayNumber(day);
                m.Age = Math.Max(0, (g._settings.Today.Year - birth.Year) - (birth.AddYears(g._settings.Today.Year - birth.Year) > g._settings.Today ? 1 : 0));
                birth.TryFormat(first17[6..14], out _, "yyyyMMdd", CultureInfo.InvariantCulture);
                var sequence = ((k % 500) * 2) + (m.Male ? 1 : 0);
                sequence.TryFormat(first17[14..], out _, "D3", CultureInfo.InvariantCulture);
                for (var c = 0; c < 17; c++)
                {
                    m.Id[c] = (byte)first17[c];
                }
                m.Id[17] = (byte)IdNumber.ComputeCheckCharacter(first17);
            }
        }

        // ---- income and costs ----

        private void Income(HouseholdProfile profile, bool minimumLiving, bool extremePoverty)
        {
            var n = _count;
            var perCapita = profile switch
            {
                HouseholdProfile.Stable => 1.3 + (2.7 * Math.Pow(_rng.NextDouble(), 2)),
                HouseholdProfile.LowIncome => _rng.Between(0.4, 0.95),
                HouseholdProfile.LostLabour => _rng.Chance(0.5) ? _rng.Between(0.5, 0.95) : _rng.Between(1.1, 1.6),
                HouseholdProfile.NoLabourTransfers => _rng.Between(1.1, 1.6),
                _ => _rng.Between(1.3, 2.6),
            };
            var target = (long)(perCapita * Line * n);
            // Transfers first (pensions, allowances, dividends): what the household gets whatever it earns.
            const int transfers = 0; // streams were cleared for this household
            for (var i = 0; i < _count; i++)
            {
                var m = _members[i];
                if (m.Age >= 60 && m.PensionInsured)
                {
                    AddStream(i, Item.Pension, Line * _rng.Next(30, 45) / 100, AllYear);
                }
                if (m.Health == GenHealth.Disability && m.Disability <= 2)
                {
                    AddStream(i, Item.DisabilityAllowance, Line * 18 / 100, AllYear);
                }
            }
            if (minimumLiving)
            {
                AddStream(0, Item.MinimumLivingAllowance, Line * n * _rng.Next(50, 75) / 100, AllYear);
            }
            if (extremePoverty)
            {
                AddStream(0, Item.ExtremePovertySupport, Line * _rng.Next(90, 120) / 100, AllYear);
            }
            if (_category == HouseholdCategory.PovertyAlleviated && profile != HouseholdProfile.NoLabourTransfers && _rng.Chance(0.5))
            {
                AddStream(0, Item.IndustryDividend, Line * _rng.Next(5, 15) / 100, 1 << 11);
            }
            var transferSum = 0L;
            for (var s = transfers; s < _streams.Count; s++)
            {
                transferSum += _streams[s].Annual;
            }
            if (profile == HouseholdProfile.NoLabourTransfers)
            {
                // Income only from transfers: top up the largest allowance to the target.
                if (transferSum < target)
                {
                    AddStream(0, extremePoverty ? Item.ExtremePovertySupport : Item.MinimumLivingAllowance, target - transferSum, AllYear, reference: 1);
                }
                return;
            }
            if (transferSum > target)
            {
                for (var s = transfers; s < _streams.Count; s++)
                {
                    _streams[s] = _streams[s] with { Annual = _streams[s].Annual * target / transferSum };
                }
                return;
            }
            var rest = target - transferSum;
            var earnerMonths = 0;
            for (var i = 0; i < _count; i++)
            {
                earnerMonths += _members[i].EmploymentMonths;
            }
            var wages = earnerMonths > 0 ? (long)(rest * _rng.Between(0.55, 0.85)) : 0;
            for (var i = 0; i < _count && wages > 0; i++)
            {
                var m = _members[i];
                if (m.EmploymentMonths > 0)
                {
                    var start = _rng.Next(0, 12);
                    var mask = 0;
                    for (var j = 0; j < m.EmploymentMonths; j++)
                    {
                        mask |= 1 << ((start + j) % 12);
                    }
                    AddStream(i, Item.Wage, wages * m.EmploymentMonths / earnerMonths, mask);
                }
            }
            var business = rest - wages;
            if (business > 0)
            {
                // Farm income as received at harvest (July–November) and its productive costs in spring (March–May).
                var cost = business * _rng.Next(20, 45) / 100;
                AddStream(0, Item.BusinessIncome, business + cost, 0b0111_1100_0000);
                AddStream(0, Item.ProductiveCost, cost, 0b0000_0001_1100);
            }
        }

        private const int AllYear = 0xFFF;

        private void AddStream(int member, Item item, long annual, int calendarMask, int reference = 0)
        {
            if (annual > 0)
            {
                _streams.Add(new Stream(member, item, annual, calendarMask, reference));
            }
        }

        private long Disposable()
        {
            var sum = 0L;
            foreach (var s in _streams)
            {
                sum += s.Item == Item.ProductiveCost ? -s.Annual : s.Annual;
            }
            return sum;
        }

        /// <summary>Months (indexes) in the cost window of the reference month after the history: the last 11 months.</summary>
        private int CostMonth() => Math.Max(0, g._settings.Months - 11) + _rng.Next(0, Math.Min(11, g._settings.Months));

        private void Risks(HouseholdProfile profile)
        {
            var lines = g._policy.Monitoring.WarningLines;
            var medicalLine = lines.MedicalSelfPaid.AmountFen.For(_category);
            var schoolingLine = lines.Schooling.AmountFen.For(_category);
            var disasterLine = lines.DisasterLoss.AmountFen.For(_category);
            var income = Disposable();
            // Everyday costs below every line and well below income (a stable household must not cross anything).
            var everydayCap = Math.Max(0, (income * 6 / 10) - 1);
            var schooling = 0L;
            var students = 0;
            for (var i = 0; i < _count; i++)
            {
                students += _members[i].Schooling is GenSchooling.SeniorHigh or GenSchooling.Vocational or GenSchooling.University ? 1 : 0;
            }
            if (students > 0)
            {
                schooling = profile == HouseholdProfile.SchoolingCost
                    ? (long)(schoolingLine * _rng.Between(1.1, 1.8))
                    : Math.Min((long)(schoolingLine * _rng.Between(0.2, 0.7)), everydayCap / 2);
                var student = Enumerable.Range(0, _count).First(i => _members[i].Schooling is GenSchooling.SeniorHigh or GenSchooling.Vocational or GenSchooling.University);
                SchoolingPayments(student, schooling);
                if (_rng.Chance(0.2))
                {
                    AddEvent(student, Item.StudentAid, CostMonth(), Line * _rng.Next(10, 25) / 100);
                }
            }
            if (profile == HouseholdProfile.SchoolingCost && students == 0)
            {
                // A household drawn for schooling costs always has a student (ComposeFamily adds one aged 16–21).
                SchoolingPayments(0, (long)(schoolingLine * 1.2));
            }
            if (profile == HouseholdProfile.Stable && _rng.Chance(0.25))
            {
                var bill = Math.Min((long)(medicalLine * _rng.Between(0.05, 0.6)), (everydayCap - schooling) / 2);
                MedicalBill(_rng.Next(0, _count), bill, assistance: false);
            }
            if (profile == HouseholdProfile.Stable && _rng.Chance(0.01))
            {
                AddEvent(0, Item.HousingGrade, CostMonth(), 0, _rng.Chance(0.7) ? "A"u8 : "B"u8);
            }
            switch (profile)
            {
                case HouseholdProfile.MedicalBill:
                    MedicalBill(_rng.Next(0, _count), (long)(medicalLine * _rng.Between(1.1, 7)), assistance: _rng.Chance(0.3));
                    break;
                case HouseholdProfile.DisasterLoss:
                {
                    var month = CostMonth();
                    AddEvent(0, Item.DisasterLoss, month, (long)(disasterLine * _rng.Between(1.1, 3.5)));
                    if (month + 1 < g._settings.Months && _rng.Chance(0.5))
                    {
                        AddEvent(0, Item.EmergencyRelief, month + 1, disasterLine * _rng.Next(10, 30) / 100);
                    }
                    break;
                }
                case HouseholdProfile.GuaranteeGap:
                    GuaranteeGap();
                    break;
                case HouseholdProfile.NoLabourTransfers or HouseholdProfile.PartialLabour or HouseholdProfile.LostLabour:
                    if (profile == HouseholdProfile.LostLabour && income < Line * _count)
                    {
                        break; // income under the line is its risk factor
                    }
                    if (_rng.Chance(0.65))
                    {
                        // Over the warning line but under the household's income (else the grade would be I for rigid costs).
                        var bill = Math.Max(medicalLine + 100, Math.Min((long)(medicalLine * _rng.Between(1.1, 2.0)), income * 9 / 10));
                        MedicalBill(_rng.Next(0, _count), bill, assistance: false);
                    }
                    else
                    {
                        AddEvent(0, Item.HousingGrade, CostMonth(), 0, _rng.Chance(0.7) ? "C"u8 : "D"u8);
                    }
                    break;
            }
        }

        private void SchoolingPayments(int student, long annual)
        {
            // Paid at the start of each term (March, September) within the cost window; all of it in one term when only one is there.
            var months = new List<int>();
            for (var i = Math.Max(0, g._settings.Months - 11); i < g._settings.Months; i++)
            {
                if (g._settings.FirstMonth.AddMonths(i).Number is 3 or 9)
                {
                    months.Add(i);
                }
            }
            if (months.Count == 0)
            {
                months.Add(g._settings.Months - 1);
            }
            for (var j = 0; j < months.Count; j++)
            {
                var share = j == months.Count - 1 ? annual - (annual / months.Count * (months.Count - 1)) : annual / months.Count;
                AddEvent(student, Item.SchoolingCost, months[j], share);
            }
        }

        private void MedicalBill(int member, long total, bool assistance)
        {
            if (total <= 0)
            {
                return;
            }
            var parts = _rng.Next(1, 4);
            var first = CostMonth();
            for (var p = 0; p < parts; p++)
            {
                var month = Math.Min(g._settings.Months - 1, first + p);
                var amount = p == parts - 1 ? total - (total / parts * (parts - 1)) : total / parts;
                AddEvent(member, Item.MedicalSelfPaid, month, amount, reference: p + 1);
            }
            if (assistance)
            {
                AddEvent(0, Item.MedicalAssistance, Math.Min(g._settings.Months - 1, first + parts - 1), total * _rng.Next(10, 30) / 100);
            }
        }

        private void GuaranteeGap()
        {
            var water = g._policy.Guarantees.Water;
            var u = _rng.NextDouble();
            var month = CostMonth();
            if (u < 0.5)
            {
                AddEvent(0, Item.HousingGrade, month, 0, _rng.Chance(0.7) ? "C"u8 : "D"u8);
            }
            else if (u < 0.65 && _count < MaxMembers)
            {
                // A school-age child out of school: the registry records the dropout, education reports it.
                var child = _count;
                var m = Add(GenRelation.Child, _rng.Next(7, 15));
                m.Schooling = GenSchooling.Dropout;
                m.Labour = GenLabour.None;
                m.MedicalInsured = true;
                AddEvent(child, Item.OutOfSchool, month, 0, Yes);
            }
            else if (u < 0.8)
            {
                var member = _rng.Next(0, _count);
                _members[member].MedicalInsured = false;
                for (var i = month; i < g._settings.Months; i++)
                {
                    AddEvent(member, Item.MedicalInsured, i, 0, No);
                }
            }
            else
            {
                // Unsafe water: one criterion fails, the others pass (all relative to the policy's standard).
                var fail = _rng.Next(0, 4);
                AddEvent(0, Item.WaterQuantity, month, 0, Number(fail == 0 ? water.MinLitresPerPersonPerDay * _rng.Next(30, 90) / 100 : water.MinLitresPerPersonPerDay * 2));
                AddEvent(0, Item.WaterQuality, month, 0, fail == 1 || !water.QualityStandardRequired ? No : Yes);
                AddEvent(0, Item.WaterFetchMinutes, month, 0, Number(fail == 2 ? water.MaxFetchRoundTripMinutes + _rng.Next(5, 40) : water.MaxFetchRoundTripMinutes / 2));
                AddEvent(0, Item.WaterSupplyRate, month, 0,
                    U8.Of((fail == 3 ? water.MinSupplyRate * (decimal)_rng.Between(0.5, 0.95) : Math.Min(1m, water.MinSupplyRate + 0.05m)).ToString("0.00", CultureInfo.InvariantCulture)));
            }
        }

        private static byte[] Number(int value) => U8.Of(value.ToString(CultureInfo.InvariantCulture));

        private void Exclusions(HouseholdProfile profile)
        {
            var stable = profile == HouseholdProfile.Stable;
            if (_rng.Chance(stable ? DatagenRates.CarStable : DatagenRates.CarAtRisk))
            {
                AddEvent(0, Item.HighEndCar, CostMonth(), Line * _rng.Next(40, 120), reference: 1);
            }
            if (stable && _rng.Chance(DatagenRates.CommercialHousingStable))
            {
                AddEvent(0, Item.CommercialHousing, CostMonth(), 0, reference: 1);
            }
            if (stable && _rng.Chance(DatagenRates.CompanyStable))
            {
                AddEvent(0, Item.Company, CostMonth(), 0, reference: 1);
            }
        }

        private void AddEvent(int member, Item item, int month, long amount, ReadOnlySpan<byte> value = default, int reference = 0) =>
            _events.Add(new Event(member, item, month, amount, value.ToArray(), reference));

        // ---- writing ----

        private void WriteHousehold(int h, bool minimumLiving, bool extremePoverty)
        {
            var sink = output.Households;
            var village = g._villageCodes[(int)((long)h * g._villages.Count / g._settings.Households)];
            for (var i = 0; i < _count; i++)
            {
                var m = _members[i];
                sink.Write(h + 1L);
                sink.Write(Comma);
                sink.Write(village);
                sink.Write(Comma);
                sink.Write(_category == HouseholdCategory.PovertyAlleviated ? PovertyAlleviated : Ordinary);
                sink.Write(Comma);
                sink.Write(minimumLiving ? True : False);
                sink.Write(Comma);
                sink.Write(extremePoverty ? True : False);
                sink.Write(Comma);
                Names.Write(sink, _household, i, m.Male, i == 0 || m.Relation is GenRelation.Child or GenRelation.Grandchild);
                sink.Write(Comma);
                sink.Write(m.Id);
                sink.Write(Comma);
                sink.Write(Relations[(int)m.Relation]);
                sink.Write(Comma);
                sink.Write(Labours[(int)m.Labour]);
                sink.Write(Comma);
                sink.Write(Healths[(int)m.Health]);
                sink.Write(Comma);
                if (m.Health == GenHealth.Disability)
                {
                    sink.Write(m.Disability);
                }
                sink.Write(Comma);
                sink.Write(Schoolings[(int)m.Schooling]);
                sink.Write(Comma);
                sink.Write(Employments[(int)m.Employment]);
                sink.Write(Comma);
                sink.Write(m.EmploymentMonths);
                sink.Write(Comma);
                sink.Write(m.MedicalInsured ? True : False);
                sink.Write(Comma);
                sink.Write(m.PensionInsured ? True : False);
                sink.Write((byte)'\n');
            }
        }

        private void WriteFeeds()
        {
            var months = g._settings.Months;
            var first = g._settings.FirstMonth;
            foreach (var s in _streams)
            {
                var inMask = 0;
                var lastCalendar = -1;
                for (var c = 0; c < 12; c++)
                {
                    if ((s.CalendarMask & (1 << c)) != 0)
                    {
                        inMask++;
                        lastCalendar = c;
                    }
                }
                var monthly = s.Annual / inMask;
                var remainder = s.Annual - (monthly * inMask);
                for (var i = 0; i < months; i++)
                {
                    var calendar = first.AddMonths(i).Number - 1;
                    if ((s.CalendarMask & (1 << calendar)) != 0)
                    {
                        var amount = monthly + (calendar == lastCalendar ? remainder : 0);
                        if (amount > 0)
                        {
                            Row(s.Member, s.Item, i, amount, [], s.Reference);
                        }
                    }
                }
            }
            foreach (var e in _events)
            {
                Row(e.Member, e.Item, e.Month, e.Amount, e.Value, e.Reference);
            }
        }

        private void Row(int member, Item item, int month, long amount, ReadOnlySpan<byte> value, int reference)
        {
            var spec = Items.Of(item);
            var file = g._fileOf[spec.Department, month];
            var sink = output.Feeds[file];
            sink.Write(_members[member].Id);
            sink.Write(Comma);
            sink.Write(spec.Code);
            sink.Write(Comma);
            sink.Write(g._monthText[month]);
            sink.Write(Comma);
            if (spec.HasAmount)
            {
                sink.Write(amount);
            }
            sink.Write(Comma);
            sink.Write(value);
            sink.Write(Comma);
            if (reference > 0)
            {
                _reference.Clear();
                _reference.Write(spec.ReferencePrefix);
                _reference.Write(_household + 1L);
                _reference.Write((byte)'-');
                _reference.Write(month + 1L);
                _reference.Write((byte)'-');
                _reference.Write(reference);
                sink.Write(_reference.Span);
            }
            sink.Write((byte)'\n');
            output.FeedRows[file]++;
        }

        private readonly record struct Stream(int Member, Item Item, long Annual, int CalendarMask, int Reference);

        private readonly record struct Event(int Member, Item Item, int Month, long Amount, byte[] Value, int Reference);
    }

    /// <summary>A member being generated (reused).</summary>
    private sealed class Member
    {
        public readonly byte[] Id = new byte[18];
        public int Age;
        public bool Male;
        public GenRelation Relation;
        public GenLabour Labour;
        public GenHealth Health;
        public int Disability;
        public GenSchooling Schooling;
        public GenEmployment Employment;
        public int EmploymentMonths;
        public bool MedicalInsured;
        public bool PensionInsured;

        public void Reset(GenRelation relation, int age, bool male)
        {
            Relation = relation;
            Age = age;
            Male = male;
            Labour = GenLabour.None;
            Health = GenHealth.Healthy;
            Disability = 0;
            Schooling = GenSchooling.NotInSchool;
            Employment = GenEmployment.None;
            EmploymentMonths = 0;
            MedicalInsured = true;
            PensionInsured = false;
        }
    }

    private enum Item
    {
        Wage, Pension, DisabilityAllowance, MinimumLivingAllowance, ExtremePovertySupport, IndustryDividend, BusinessIncome, ProductiveCost,
        MedicalSelfPaid, MedicalAssistance, MedicalInsured, SchoolingCost, StudentAid, OutOfSchool, DisasterLoss, EmergencyRelief,
        HousingGrade, WaterQuantity, WaterQuality, WaterFetchMinutes, WaterSupplyRate, HighEndCar, CommercialHousing, Company,
    }

    /// <summary>Feed item codes (monitoring's FeedItems), the department that reports each, and reference prefixes.</summary>
    private sealed record ItemSpec(byte[] Code, int Department, bool HasAmount, byte[] ReferencePrefix)
    {
        public ItemSpec(string code, string department, bool hasAmount, string prefix)
            : this(U8.Of(code), Index(department), hasAmount, U8.Of(prefix))
        {
        }

        private static int Index(string department) => DatagenFeeds.Departments.ToList().IndexOf(department) is var i and >= 0
            ? i : throw new InvalidOperationException(department);
    }

    private static class Items
    {
        private static readonly ItemSpec[] Specs =
        [
            new("wage", Departments.HumanResources, true, ""),
            new("pension", Departments.HumanResources, true, ""),
            new("disability_allowance", Departments.DisabledPersonsFederation, true, ""),
            new("minimum_living_allowance", Departments.CivilAffairs, true, "MLA"),
            new("extreme_poverty_support", Departments.CivilAffairs, true, "EPS"),
            new("industry_dividend", Departments.Agriculture, true, ""),
            new("business_income", Departments.Agriculture, true, ""),
            new("productive_cost", Departments.Agriculture, true, ""),
            new("medical_self_paid", Departments.MedicalInsurance, true, "MB"),
            new("medical_assistance", Departments.MedicalInsurance, true, ""),
            new("medical_insured", Departments.MedicalInsurance, false, ""),
            new("schooling_cost", Departments.Education, true, ""),
            new("student_aid", Departments.Education, true, ""),
            new("out_of_school", Departments.Education, false, ""),
            new("disaster_loss", Departments.EmergencyManagement, true, ""),
            new("emergency_relief", Departments.EmergencyManagement, true, ""),
            new("housing_safety_grade", Departments.Housing, false, ""),
            new("water_quantity", Departments.Water, false, ""),
            new("water_quality", Departments.Water, false, ""),
            new("water_fetch_minutes", Departments.Water, false, ""),
            new("water_supply_rate", Departments.Water, false, ""),
            new("high_end_car", Departments.PublicSecurity, true, "PLATE"),
            new("commercial_housing", Departments.Housing, false, "DEED"),
            new("company", Departments.MarketSupervision, false, "REG"),
        ];

        public static ItemSpec Of(Item item) => Specs[(int)item];
    }
}
