using FanPin.Grpc.Interop;
using Google.Protobuf;
using Google.Protobuf.Reflection;

// The C# side of tests/interop/run.sh; see the project file for the commands.
return args.FirstOrDefault() switch
{
    "server" => await ServeAsync(),
    "client" => await ClientAsync(args.Skip(1).ToArray()),
    "descriptor-set" when args.Length == 2 => WriteDescriptorSet(args[1]),
    _ => Usage(),
};

static async Task<int> ServeAsync()
{
    // Two servers: responses plain, and responses gzip-compressed (compression is configured, not mirrored).
    await using var plain = await EchoServer.StartAsync();
    await using var gzip = await EchoServer.StartAsync(o => o.ResponseCompression = "gzip");
    Console.WriteLine($"address {plain.Address.ToString().TrimEnd('/')}");
    Console.WriteLine($"gzip-address {gzip.Address.ToString().TrimEnd('/')}");
    Console.WriteLine($"token {EchoServer.IssueToken()}");
    Console.WriteLine("ready");
    // Waiting on the host (not Task.Delay) is what makes SIGTERM and Ctrl-C stop the process.
    await plain.App.WaitForShutdownAsync();
    return 0;
}

static async Task<int> ClientAsync(string[] args)
{
    string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
    var address = Option("--address");
    var gzipAddress = Option("--gzip-address") ?? address;
    var token = Option("--token") ?? EchoServer.IssueToken();
    var peer = Option("--peer") ?? "server";
    if (address is null)
    {
        return Usage();
    }
    var suite = new InteropClientSuite(new Uri(address), new Uri(gzipAddress!), token);
    var failed = await suite.RunAsync($"csharp-client->{peer}", Console.Out, Option("--case"));
    return failed == 0 ? 0 : 1;
}

static int WriteDescriptorSet(string path)
{
    // What a peer without protoc needs to build the messages at run time (the Python client).
    // Dependencies first: a descriptor pool adds files in order.
    var set = new FileDescriptorSet();
    foreach (var file in new[]
    {
        Google.Protobuf.WellKnownTypes.AnyReflection.Descriptor,
        Google.Protobuf.WellKnownTypes.DurationReflection.Descriptor,
        Google.Rpc.StatusReflection.Descriptor,
        Google.Rpc.ErrorDetailsReflection.Descriptor,
        FanPin.Contracts.Testing.V1.EchoReflection.Descriptor,
        Grpc.Health.V1.HealthReflection.Descriptor,
    })
    {
        set.File.Add(FileDescriptorProto.Parser.ParseFrom(file.SerializedData));
    }
    File.WriteAllBytes(path, set.ToByteArray());
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage: FanPin.Grpc.Interop server
               FanPin.Grpc.Interop client --address URL [--gzip-address URL] [--token JWT] [--peer NAME] [--case NAME]
               FanPin.Grpc.Interop descriptor-set FILE
        """);
    return 2;
}
