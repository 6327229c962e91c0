namespace Pingvas.Server.Generation;

public static class GenerationSetup
{
    public static IServiceCollection AddGeneration(this IServiceCollection services)
    {
        services.AddScoped<GenerationService>();
        services.AddSingleton<GenerationMapper>();
        services.AddScoped<EngineJobs>();
        return services;
    }
}
