using Pingvas.Server.Hosting;

namespace Pingvas.Server.Workers;

public static class WorkersSetup
{
    /// <summary>The worker registry: every role reads it (availability, the admin list) and purges long-stale rows; the pool (Queue/) writes it.</summary>
    public static IServiceCollection AddWorkerRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<WorkersOptions>(configuration.GetSection("Workers"));
        services.AddSingleton<WorkerRegistry>();
        services.AddSingleton<ModelAvailability>();
        services.AddSingleton<IdleFleet>();
        services.AddSingleton<StaleWorkerPurge>();
        services.AddHostedService(sp => sp.GetRequiredService<StaleWorkerPurge>());
        return services;
    }
}
