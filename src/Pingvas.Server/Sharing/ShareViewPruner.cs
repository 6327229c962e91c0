using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Sharing;

/// <summary>
/// Deletes the visitor rows of links that ended (expired or revoked) more than <see cref="Grace"/> ago.
/// They exist only to count a visitor once while the link works; an ended link never opens again
/// (links cannot be extended or restored) and keeps its count in <c>shares.views</c>.
/// </summary>
public sealed class ShareViewPruner(IServiceScopeFactory scopes, TimeProvider time, ILogger<ShareViewPruner> logger)
    : PeriodicChore(scopes, time, logger)
{
    public static readonly TimeSpan Grace = TimeSpan.FromDays(1);

    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<PingvasDb>();
        var before = Time.GetUtcNow().UtcDateTime - Grace;
        return await db.ShareViews
            .Where(v => db.Shares.Any(s => s.Id == v.ShareId && ((s.RevokedAt != null && s.RevokedAt < before) || (s.ExpiresAt != null && s.ExpiresAt < before))))
            .DeleteInBatchesAsync(v => v.ShareId, 1000, ct);
    }
}
