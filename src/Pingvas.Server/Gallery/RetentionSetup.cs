namespace Pingvas.Server.Gallery;

public static class RetentionSetup
{
    public static IServiceCollection AddRetention(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<RetentionService>();
        services.AddSingleton((configuration.GetSection(RetentionOptions.Section).Get<RetentionOptions>() ?? new RetentionOptions()).Validate());
        services.AddSingleton<RetentionSweep>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionSweep>());
        return services;
    }
}
