namespace Pingvas.Server.Developer;

public static class DeveloperSetup
{
    public static IServiceCollection AddApiKeys(this IServiceCollection services)
    {
        services.AddScoped<ApiKeyService>();
        services.AddScoped<ApiCallMeter>();
        return services;
    }
}
