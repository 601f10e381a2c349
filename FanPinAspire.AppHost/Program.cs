using FanPin.AppHost;

return await AppHost.RunAsync(Composition.Model, args);
