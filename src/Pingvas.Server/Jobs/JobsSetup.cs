namespace Pingvas.Server.Jobs;

public static class JobsSetup
{
    /// <summary>The one owner of job state; see <see cref="JobLifecycle"/>.</summary>
    public static IServiceCollection AddJobs(this IServiceCollection services)
    {
        services.AddScoped<JobLifecycle>();
        return services;
    }
}
