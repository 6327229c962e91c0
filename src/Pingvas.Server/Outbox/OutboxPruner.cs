using Microsoft.Extensions.Options;

using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Outbox;

/// <summary>Deletes delivered messages after <see cref="OutboxOptions.RetentionMinutes"/> and given-up ones after a week.</summary>
public sealed class OutboxPruner(IServiceScopeFactory scopes, IOptions<OutboxOptions> options, TimeProvider time, ILogger<OutboxPruner> logger)
    : PeriodicChore(scopes, time, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromMinutes(options.Value.PruneIntervalMinutes);

    protected override async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<PingvasDb>();
        var now = Time.GetUtcNow().UtcDateTime;
        var delivered = now.AddMinutes(-options.Value.RetentionMinutes);
        var failed = now.AddDays(-7);
        return await db.Outbox.Where(m => m.DeliveredAt < delivered || m.FailedAt < failed).DeleteInBatchesAsync(m => m.Id, 1000, ct);
    }
}
