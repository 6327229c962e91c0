namespace Pingvas.Server.Credits;

public static class CreditsSetup
{
    /// <summary>The ledger (the only code that moves credits), billing periods, and the sweep that renews periods for everyone.</summary>
    public static IServiceCollection AddCredits(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<PlanPeriodOptions>(configuration.GetSection("Credits"));
        services.AddScoped<Ledger>();
        services.AddScoped<PlanPeriods>();
        services.AddSingleton<PlanPeriodSweep>();
        services.AddHostedService(sp => sp.GetRequiredService<PlanPeriodSweep>());
        return services;
    }
}
