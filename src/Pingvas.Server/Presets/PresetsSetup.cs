namespace Pingvas.Server.Presets;

public static class PresetsSetup
{
    public static IServiceCollection AddPresets(this IServiceCollection services)
    {
        services.AddScoped<PresetService>();
        services.AddScoped<SharedPresets>();
        return services;
    }
}
