using Microsoft.Extensions.Options;

namespace Pingvas.Server.Queue;

/// <summary>
/// Puts orphaned jobs back in the queue: at startup of <c>serve</c>, the jobs its previous process
/// left running (see <see cref="JobClaimer.RecoverAsync"/>) and, periodically, any job whose lease expired.
/// </summary>
public sealed class QueueRecovery(IServiceScopeFactory scopes, QueueSignal signal, IOptions<QueueOptions> options, TimeProvider time, ILogger<QueueRecovery> logger) : BackgroundService
{
    public static async Task RecoverAtStartupAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var requeued = await scope.ServiceProvider.GetRequiredService<JobClaimer>().RecoverAsync(atStartup: true, ct);
        if (requeued.Count > 0)
        {
            scope.ServiceProvider.GetRequiredService<ILogger<QueueRecovery>>()
                .LogWarning("Re-queued {Count} generation(s) left running by the previous process", requeued.Count);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.Value.LeaseSeconds / 2.0)), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var requeued = await scope.ServiceProvider.GetRequiredService<JobClaimer>().RecoverAsync(atStartup: false, stoppingToken);
                if (requeued.Count > 0)
                {
                    logger.LogWarning("Re-queued {Count} generation(s) whose worker stopped renewing its lease", requeued.Count);
                    signal.Notify();
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Lease recovery failed");
            }
        }
    }
}
