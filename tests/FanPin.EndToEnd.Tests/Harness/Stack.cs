using System.Globalization;
using FanPin.Contracts.Registry.V1;
using FanPin.Grpc;
using FanPin.ServiceDefaults.Authentication;
using FanPin.Testing.Suite;
using Wire = FanPin.Contracts.Registry.V1;

namespace FanPin.EndToEnd.Tests.Harness;

/// <summary>
/// The suite for the scenarios (<see cref="SuiteProcess"/>: the AppHost as a child process), started once, with this
/// deployment's registry policy and the scenarios' regions imported.
/// </summary>
public sealed class Stack : IAsyncLifetime
{
    /// <summary>The county the scenarios work in: 皋兰县, Lanzhou, Gansu (real NBS codes, villages synthesized).</summary>
    public const string County = "620122";

    /// <summary>A second county, to show that a county's subscription sees only its own events.</summary>
    public const string OtherCounty = "620123";

    private SuiteProcess? _suite;

    /// <summary>The running suite.</summary>
    public SuiteProcess Suite => _suite ?? throw new InvalidOperationException("the suite is not started");

    /// <summary>The broker (amqp://…) the AppHost printed for the services; downstream subscribers bind here.</summary>
    public Uri Messaging => Suite.Messaging;

    /// <summary>Every village the scenarios use, with its township, imported at start.</summary>
    public static IReadOnlyList<string> Villages { get; } = ["620122100001", "620122103001", "620122105001", "620122106001", "620123100001"];

    public async Task InitializeAsync()
    {
        // The registry of this deployment runs identification and exit quietly (no public notice; DOMAIN.md §6
        // "some provinces run it quietly"): a five-day notice cannot be waited for in a test. Services inherit it.
        _suite = await SuiteProcess.StartAsync(new SuiteOptions
        {
            Environment = new Dictionary<string, string> { ["Registry__PolicyDirectory"] = Path.Combine(AppContext.BaseDirectory, "Policies", "registry") },
        });
        Eventually.ServiceLog = () => _suite.Problems(30);
        await ImportRegionsAsync();
    }

    /// <summary>The last error and warning lines of the services.</summary>
    public string Problems(int lines) => Suite.Problems(lines);

    /// <summary>A token of <paramref name="role"/> over <paramref name="scope"/> (a department names itself).</summary>
    public string Token(CallerRole role, string scope, string? department = null) => Suite.Token(role, scope, department);

    /// <summary>Clients of every service acting with <paramref name="token"/>.</summary>
    public SuiteClients As(string token) => Suite.As(token);

    /// <summary>Clients as the province (the AppHost's own token).</summary>
    public SuiteClients Province => Suite.Province;

    /// <summary>Clients as the county office of <see cref="County"/>.</summary>
    public SuiteClients CountyOffice => As(Token(CallerRole.County, County));

    /// <summary>A channel to <paramref name="service"/> carrying <paramref name="token"/>, shared per pair.</summary>
    public GrpcChannel Channel(string service, string token) => Suite.Channel(service, token);

    /// <summary>The last lines the AppHost and its services printed (for failure messages).</summary>
    public string Tail(int lines = 40, string? containing = null) => Suite.Tail(lines, containing);

    private async Task ImportRegionsAsync()
    {
        // One small real county (皋兰县, its four townships) and one township of its neighbour 榆中县, with villages
        // synthesized under each township as the data README says (TTT + 001…).
        var request = new ImportRegionsRequest();
        foreach (var line in File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", "regions-gansu-gaolan.csv")).Skip(1))
        {
            var cells = line.Split(',');
            request.Regions.Add(new Wire.Region { Code = cells[0], Name = cells[1], Level = Level(cells[2]), ParentCode = cells[3] });
        }
        foreach (var village in Villages)
        {
            var township = village[..9] + "000";
            var name = request.Regions.Single(r => r.Code == township).Name + "第" + int.Parse(village[9..], CultureInfo.InvariantCulture) + "村";
            request.Regions.Add(new Wire.Region { Code = village, Name = name, Level = Wire.RegionLevel.Village, ParentCode = township });
        }
        var reply = await Province.Regions.ImportRegionsAsync(request, deadline: DateTime.UtcNow.AddSeconds(60));
        if (reply.Inserted != request.Regions.Count)
        {
            throw new InvalidOperationException($"ImportRegions inserted {reply.Inserted} of {request.Regions.Count} regions into a fresh registry");
        }
    }

    private static Wire.RegionLevel Level(string level) => level switch
    {
        "province" => Wire.RegionLevel.Province,
        "city" => Wire.RegionLevel.City,
        "county" => Wire.RegionLevel.County,
        "township" => Wire.RegionLevel.Township,
        _ => Wire.RegionLevel.Village,
    };

    public async Task DisposeAsync()
    {
        if (_suite is not null)
        {
            await _suite.DisposeAsync();
        }
    }
}

/// <summary>One AppHost for every scenario: they run one after another and use distinct villages.</summary>
[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<Stack>
{
    public const string Name = "stack";
}
