using Microsoft.Extensions.Options;

using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Accounts;

/// <summary>
/// Deletes refresh tokens that expired more than a day ago, in batches so no statement holds many
/// rows locked. An expired token is refused anyway; the day of grace keeps recent ones for support.
/// </summary>
public sealed class RefreshTokenPurge(IServiceScopeFactory scopes, TimeProvider time, IOptions<AuthPurgeOptions> options, ILogger<RefreshTokenPurge> logger)
    : PeriodicChore(scopes, time, logger)
{
    public const int BatchSize = 1000;
    public static readonly TimeSpan Grace = TimeSpan.FromDays(1);

    protected override TimeSpan Interval => TimeSpan.FromMinutes(options.Value.PurgeIntervalMinutes);

    protected override async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<PingvasDb>();
        var cutoff = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime - Grace;
        return await db.RefreshTokens.Where(t => t.ExpiresAt < cutoff).DeleteInBatchesAsync(t => t.Id, BatchSize, ct);
    }
}
