namespace Pingvas.Server.Admin;

public static class AdminSetup
{
    public static IServiceCollection AddAdmin(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<AuditLog>();
        services.AddScoped<AdminUserService>();
        services.AddScoped<AdminStatsService>();
        services.AddOptions<BootstrapOptions>().Bind(configuration.GetSection("Bootstrap"));
        return services;
    }
}
