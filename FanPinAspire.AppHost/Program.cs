using FanPin.AppHost;

return await AppHost.RunAsync(args);
