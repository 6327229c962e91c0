using Pingvas.Server.Hosting;

return await PingvasApp.RunAsync(args);
