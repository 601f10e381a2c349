using FanPin.Cli;

return await CliApp.RunAsync(args);
