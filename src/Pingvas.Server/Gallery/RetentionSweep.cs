using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Gallery;

/// <summary>
/// Applies every user's retention rule: unstarred images older than the user's N days go to the
/// trash (never deleted outright; the trash purge removes them 30 days later). Idempotent, so
/// every serving process may run it; the clock is the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class RetentionSweep(IServiceScopeFactory scopes, RetentionOptions options, TimeProvider time, ILogger<RetentionSweep> logger)
    : PeriodicChore(scopes, time, logger)
{
    protected override TimeSpan Interval => options.Interval;

    /// <summary>Returns how many images went to the trash.</summary>
    protected override async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<PingvasDb>();
        var retention = services.GetRequiredService<RetentionService>();
        var rules = await db.Users.AsNoTracking()
            .Where(u => u.RetentionDays != null && u.DeletedAt == null)
            .Select(u => new { u.Id, Days = u.RetentionDays!.Value })
            .ToListAsync(ct);
        var moved = 0;
        foreach (var rule in rules)
        {
            moved += await retention.ApplyAsync(rule.Id, rule.Days, ct);
        }

        return moved;
    }
}
