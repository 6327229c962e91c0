using Microsoft.Extensions.Options;

namespace Pingvas.Server.Outbox;

public static class OutboxSetup
{
    /// <summary>The outbox writer, its dispatcher and pruner (every serving process runs both). Topics add an <see cref="IOutboxHandler"/>.</summary>
    public static IServiceCollection AddOutbox(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<OutboxOptions>(configuration.GetSection("Outbox"));
        services.AddScoped<OutboxWriter>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<OutboxStore>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        services.AddSingleton<OutboxPruner>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxPruner>());
        return services;
    }

    /// <summary>Gives <paramref name="topic"/> a lane of its own (<see cref="OutboxLane"/>): the main dispatcher leaves it alone.</summary>
    public static IServiceCollection AddOutboxLane(this IServiceCollection services, string topic, Func<IServiceProvider, int> parallelism)
    {
        services.AddSingleton(new OutboxLaneTopic(topic));
        services.AddSingleton(sp => new OutboxLane(
            topic,
            parallelism(sp),
            sp.GetRequiredService<IServiceScopeFactory>(),
            sp.GetRequiredService<OutboxSignal>(),
            sp.GetRequiredService<OutboxStore>(),
            sp.GetRequiredService<IOptions<OutboxOptions>>(),
            sp.GetRequiredService<ILogger<OutboxLane>>()));
        services.AddHostedService(sp => sp.GetServices<OutboxLane>().Single(l => l.Topic == topic));
        return services;
    }
}
