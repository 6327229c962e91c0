using Microsoft.Extensions.Options;

using Pingvas.Server.Outbox;

namespace Pingvas.Server.Webhooks;

public static class WebhooksSetup
{
    /// <summary>Webhook endpoints, the publisher the job lifecycle writes through, and the sender (an outbox topic) with its guarded HTTP client.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<WebhookOptions>(configuration.GetSection("Webhooks"));
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<WebhookTargets>();
        services.AddScoped<WebhookPublisher>();
        services.AddScoped<WebhookService>();
        services.AddScoped<IOutboxHandler, WebhookSender>();

        // Deliveries have their own lane: a slow receiver never holds up emails, events or other targets.
        services.AddOutboxLane(WebhookAttemptMessage.Topic, sp => sp.GetRequiredService<IOptions<WebhookOptions>>().Value.Parallelism);
        services.AddSingleton<WebhookDeliveryPruner>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDeliveryPruner>());
        services.AddHostedService<WebhookStartupWarning>();
        services.AddHttpClient(WebhookSender.HttpClientName, (sp, http) =>
                http.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<WebhookOptions>>().Value.TimeoutSeconds))
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                // Every connection resolves and checks its addresses itself (request forgery, DNS rebinding).
                ConnectCallback = sp.GetRequiredService<WebhookTargets>().ConnectAsync,
                AllowAutoRedirect = false,
                UseProxy = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            });
        return services;
    }
}

/// <summary>Says loudly at start when the request-forgery guard is lifted.</summary>
public sealed class WebhookStartupWarning(WebhookTargets targets, ILogger<WebhookStartupWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (targets.AllowPrivateTargets)
        {
            logger.LogWarning("Webhooks:AllowPrivateTargets is on: webhooks may reach loopback and private addresses. Never in production.");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
