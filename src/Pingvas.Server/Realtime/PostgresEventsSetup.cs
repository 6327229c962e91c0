using Microsoft.Extensions.Diagnostics.HealthChecks;

using Pingvas.Server.Hosting;
using Pingvas.Server.Queue;

namespace Pingvas.Server.Realtime;

/// <summary>
/// What this process listens to, on which database, and the name its connections show in
/// <c>pg_stat_activity.application_name</c> (<c>pingvas &lt;role&gt; &lt;pid&gt; listen|notify</c>).
/// </summary>
public sealed record EventBusSetup(string ConnectionString, IReadOnlyList<string> Channels, string ProcessName);

/// <summary>
/// Events between processes on PostgreSQL: generation events, queue wake-ups, cancel requests and
/// sign-outs over <c>LISTEN/NOTIFY</c>. API processes listen for events and sign-outs, workers for
/// wake-ups and cancels, <c>serve</c> for all of them.
/// </summary>
public static class PostgresEventsSetup
{
    public static IServiceCollection AddPostgresEvents(this IServiceCollection services, IConfiguration configuration, PingvasRole role, string connectionString)
    {
        string[] channels = role switch
        {
            PingvasRole.Api => [EventChannels.Events, EventChannels.Outbox, EventChannels.SignOut, EventChannels.KeyRevoked, EventChannels.Notices],
            PingvasRole.Worker => [EventChannels.Queue, EventChannels.Cancel, EventChannels.Outbox],
            _ => [EventChannels.Events, EventChannels.Queue, EventChannels.Cancel, EventChannels.Outbox, EventChannels.SignOut, EventChannels.KeyRevoked, EventChannels.Notices],
        };
        services.Configure<PostgresEventsOptions>(configuration.GetSection("Events"));
        services.AddSingleton(new EventBusSetup(connectionString, channels, $"pingvas {role.ToString().ToLowerInvariant()} {Environment.ProcessId}"));
        services.AddScoped<IGenerationEvents, PostgresGenerationEvents>();
        services.AddScoped<IHubSignOut, PostgresHubSignOut>();
        services.AddSingleton<PostgresBroadcast>();
        services.AddSingleton<IQueueBroadcast>(sp => sp.GetRequiredService<PostgresBroadcast>());
        services.AddSingleton<EventForwarder>();
        services.AddSingleton<PostgresListener>();

        // Started before the workers and stopped after them, so a job handed back on shutdown still wakes the others.
        services.AddHostedService(sp => sp.GetRequiredService<PostgresBroadcast>());
        services.AddHostedService(sp => sp.GetRequiredService<EventForwarder>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresListener>());
        services.AddHealthChecks().AddCheck<EventListenerHealthCheck>("events", HealthStatus.Degraded);
        return services;
    }
}
