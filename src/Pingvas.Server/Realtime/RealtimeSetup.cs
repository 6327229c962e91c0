using System.Text.Json.Serialization;

using Pingvas.Server.Hosting;
using Pingvas.Server.Outbox;
using Pingvas.Server.Queue;

namespace Pingvas.Server.Realtime;

public static class RealtimeSetup
{
    /// <summary>
    /// The progress hub and how events reach it: straight to the hub in one process (SQLite), or
    /// through PostgreSQL <c>LISTEN/NOTIFY</c> between processes, with wake-ups and cancels.
    /// </summary>
    public static IServiceCollection AddRealtime(this IServiceCollection services, IConfiguration configuration, PingvasRole role, string databaseProvider)
    {
        services.AddSignalR().AddJsonProtocol(o =>
        {
            o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.PayloadSerializerOptions.Converters.Add(new UtcDateTimeConverter());
        });
        services.AddSingleton<HubConnections>();
        services.AddSingleton<GenerationStreams>();
        services.Configure<StreamOptions>(configuration.GetSection("Streams"));
        services.AddScoped<JobSnapshots>();
        services.AddScoped<IOutboxHandler, GenerationEventHandler>();
        if (databaseProvider == "postgres" && role != PingvasRole.Migrate)
        {
            services.AddPostgresEvents(configuration, role, configuration.GetConnectionString("Database")
                ?? throw new InvalidOperationException("Database__Provider is postgres: set ConnectionStrings__Database."));
        }
        else
        {
            services.AddSingleton<IGenerationEvents, HubGenerationEvents>();
            services.AddSingleton<IHubSignOut, LocalHubSignOut>();
            services.AddSingleton(IQueueBroadcast.None);
        }

        return services;
    }
}
