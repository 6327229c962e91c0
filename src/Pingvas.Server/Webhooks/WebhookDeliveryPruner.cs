using Microsoft.Extensions.Options;

using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Webhooks;

/// <summary>Deletes deliveries older than <see cref="WebhookOptions.DeliveryLogDays"/>, whatever their status (a pending one gave up long before).</summary>
public sealed class WebhookDeliveryPruner(IServiceScopeFactory scopes, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookDeliveryPruner> logger)
    : PeriodicChore(scopes, time, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromMinutes(options.Value.PruneIntervalMinutes);

    protected override async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<PingvasDb>();
        var before = Time.GetUtcNow().UtcDateTime.AddDays(-options.Value.DeliveryLogDays);
        return await db.WebhookDeliveries.Where(d => d.CreatedAt < before).DeleteInBatchesAsync(d => d.Id, 1000, ct);
    }
}
