namespace FanPin.Grpc;

/// <summary>The outcome of a call: a code and a human-readable detail (sent as <c>grpc-message</c>).</summary>
public readonly record struct Status(StatusCode StatusCode, string Detail)
{
    /// <summary>The successful status.</summary>
    public static readonly Status DefaultSuccess = new(StatusCode.OK, "");

    /// <inheritdoc />
    public override string ToString() => $"Status(StatusCode=\"{StatusCode}\", Detail=\"{Detail}\")";
}
