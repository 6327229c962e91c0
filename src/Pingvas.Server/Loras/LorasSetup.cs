namespace Pingvas.Server.Loras;

public static class LorasSetup
{
    public static IServiceCollection AddLoras(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<LoraOptions>(configuration.GetSection("Loras"));
        services.AddScoped<LoraService>();
        services.AddSingleton<LoraDownloads>();
        return services;
    }
}
