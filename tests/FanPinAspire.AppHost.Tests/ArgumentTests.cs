namespace FanPinAspire.AppHost.Tests;

/// <summary>Bad command lines are refused with the reason and the usage, before anything starts.</summary>
public class ArgumentTests
{
    [Theory]
    [InlineData(new[] { "--seed", "everything" }, "--seed takes 'demo'")]
    [InlineData(new[] { "--seed" }, "--seed needs a value")]
    [InlineData(new[] { "--status-port", "0" }, "--status-port must be a port number")]
    public async Task A_bad_argument_exits_2_naming_it(string[] args, string message)
    {
        var error = Console.Error;
        using var captured = new StringWriter();
        Console.SetError(captured);
        int exit;
        try
        {
            exit = await FanPin.AppHost.AppHost.RunAsync(FanPin.AppHost.Composition.Model, args);
        }
        finally
        {
            Console.SetError(error);
        }
        Assert.Equal(2, exit);
        Assert.Contains(message, captured.ToString(), StringComparison.Ordinal);
        Assert.Contains("--seed demo", captured.ToString(), StringComparison.Ordinal); // the usage lists it
    }
}
