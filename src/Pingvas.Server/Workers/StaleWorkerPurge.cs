using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Workers;

/// <summary>
/// Deletes registry rows without a heartbeat for an hour: processes killed without a clean stop
/// (kill -9, a lost node). Readers already ignore them after <c>Workers:StaleSeconds</c>; this only
/// keeps the table from growing with every crash.
/// </summary>
public sealed class StaleWorkerPurge(IServiceScopeFactory scopes, TimeProvider time, IOptions<WorkersOptions> options, ILogger<StaleWorkerPurge> logger)
    : PeriodicChore(scopes, time, logger)
{
    public static readonly TimeSpan Abandoned = TimeSpan.FromHours(1);

    protected override TimeSpan Interval => TimeSpan.FromMinutes(options.Value.PurgeIntervalMinutes);

    protected override async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var cutoff = Time.GetUtcNow().UtcDateTime - Abandoned;
        return await services.GetRequiredService<PingvasDb>().Workers.Where(w => w.HeartbeatAt < cutoff).ExecuteDeleteAsync(ct);
    }
}
