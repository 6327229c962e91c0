using Pingvas.Server.Hosting;

namespace Pingvas.Server.Queue;

public static class QueueSetup
{
    /// <summary>The queue (claims, positions, wake-ups, cancels) and, in roles that run jobs, the workers and lease recovery.</summary>
    public static IServiceCollection AddQueue(this IServiceCollection services, IConfiguration configuration, PingvasRole role)
    {
        services.Configure<QueueOptions>(configuration.GetSection("Queue"));
        services.Configure<WorkerOptions>(configuration.GetSection("Worker"));
        var grace = configuration.GetValue("Worker:ShutdownGraceSeconds", new WorkerOptions().ShutdownGraceSeconds);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(grace + 10));
        services.AddSingleton<QueueSignal>();
        services.AddSingleton<QueueSnapshot>();
        services.AddSingleton<CancellationRegistry>();
        services.AddScoped<QueueReader>();
        services.AddScoped<JobClaimer>();
        services.AddScoped<QueueHeads>();
        services.AddScoped<JobRunner>();
        services.AddScoped<JobProgress>();
        services.AddScoped<ImageOutputs>();
        if (role is PingvasRole.Serve or PingvasRole.Worker)
        {
            services.AddHostedService<WorkerPool>();
            services.AddHostedService<QueueRecovery>();
        }

        return services;
    }
}
