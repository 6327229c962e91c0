namespace Pingvas.Server.YourData;

public static class YourDataSetup
{
    /// <summary>Exports (service, builder worker, expiry chore) and account deletion. Every serving process builds exports: claims never collide.</summary>
    public static IServiceCollection AddYourData(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<YourDataOptions>(configuration.GetSection("YourData"));
        services.AddSingleton<ExportSignal>();
        services.AddSingleton<ExportLinks>();
        services.AddScoped<ExportService>();
        services.AddScoped<ExportArchive>();
        services.AddScoped<AccountDeletion>();
        services.AddSingleton<ExportBuilder>();
        services.AddHostedService(sp => sp.GetRequiredService<ExportBuilder>());
        services.AddSingleton<ExportExpiry>();
        services.AddHostedService(sp => sp.GetRequiredService<ExportExpiry>());
        return services;
    }

    public static RouteGroupBuilder MapYourData(this RouteGroupBuilder api) => api.MapExports().MapAccountDeletion();
}
