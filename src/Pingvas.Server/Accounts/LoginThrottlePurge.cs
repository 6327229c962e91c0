using Microsoft.Extensions.Options;

using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Accounts;

/// <summary>
/// Deletes sign-in throttle rows untouched for a day: their score has halved 48 times and no wait
/// lasts that long, so they throttle nothing. Guessing from many addresses would otherwise grow the table for ever.
/// </summary>
public sealed class LoginThrottlePurge(IServiceScopeFactory scopes, TimeProvider time, IOptions<AuthPurgeOptions> options, ILogger<LoginThrottlePurge> logger)
    : PeriodicChore(scopes, time, logger)
{
    public const int BatchSize = 1000;
    public static readonly TimeSpan Quiet = TimeSpan.FromDays(1);

    protected override TimeSpan Interval => TimeSpan.FromMinutes(options.Value.PurgeIntervalMinutes);

    protected override async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<PingvasDb>();
        var cutoff = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime - Quiet;
        return await db.LoginThrottles.Where(t => t.UpdatedAt < cutoff).DeleteInBatchesAsync(t => t.Id, BatchSize, ct);
    }
}
