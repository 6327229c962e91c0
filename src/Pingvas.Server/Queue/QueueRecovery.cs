using Microsoft.Extensions.Options;

using Pingvas.Server.Data;
using Pingvas.Server.Jobs;

namespace Pingvas.Server.Queue;

/// <summary>
/// Settles jobs no live worker will finish (<see cref="JobLifecycle.RecoverAsync"/>): at startup,
/// the jobs the previous process left running; then every half lease, jobs whose lease expired or
/// that ran past <c>Queue:MaxRunSeconds</c>.
/// </summary>
public sealed class QueueRecovery(IServiceScopeFactory scopes, IOptions<QueueOptions> options, TimeProvider time, ILogger<QueueRecovery> logger) : BackgroundService
{
    public static async Task RecoverAtStartupAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateSystemScope();
        var report = await scope.ServiceProvider.GetRequiredService<JobLifecycle>().RecoverAsync(atStartup: true, ct);
        if (report.Total > 0)
        {
            scope.ServiceProvider.GetRequiredService<ILogger<QueueRecovery>>().LogWarning("Recovered generation(s) left running by the previous process: {Report}", report);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.Value.LeaseSeconds / 2.0)), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                // Recovery spans every user's jobs: system context, entered here on purpose.
                await using var scope = scopes.CreateSystemScope();
                var report = await scope.ServiceProvider.GetRequiredService<JobLifecycle>().RecoverAsync(atStartup: false, stoppingToken);
                if (report.Total > 0)
                {
                    logger.LogWarning("Recovered generation(s) whose worker stopped renewing its lease or ran too long: {Report}", report);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Lease recovery failed");
            }
        }
    }
}
