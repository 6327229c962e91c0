using Pingvas.Server.Data;

namespace Pingvas.Server.Hosting;

/// <summary>
/// Housekeeping that runs every <see cref="Interval"/> in each serving process (sweeps, purges,
/// pruning). Each run gets its own scope. Chores must be idempotent and safe to run in several
/// processes at once: every process of a deployment runs them, and none is special.
/// <see cref="RunOnceAsync"/> runs the chore now, for tests and operators. Housekeeping spans
/// users, so each run's scope is in system context (row-level security, Data/DatabaseTenant.cs).
/// </summary>
public abstract class PeriodicChore(IServiceScopeFactory scopes, TimeProvider time, ILogger logger) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    /// <summary>Time between two runs; the first run comes one interval after start.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>Runs the chore once in a fresh scope; returns how many items it handled.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateSystemScope();
        return await RunAsync(scope.ServiceProvider, ct);
    }

    /// <summary>One pass of the chore; returns how many items it handled (for the log).</summary>
    protected abstract Task<int> RunAsync(IServiceProvider services, CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Interval <= TimeSpan.Zero)
        {
            // Switched off by configuration.
            return;
        }

        using var timer = new PeriodicTimer(Interval, Time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var handled = await RunOnceAsync(stoppingToken);
                if (handled > 0)
                {
                    logger.LogInformation("{Chore} handled {Count} item(s)", GetType().Name, handled);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // A database outage or a bug in one pass must not stop the next.
                logger.LogWarning(ex, "{Chore} failed; it runs again in {Interval}", GetType().Name, Interval);
            }
        }
    }
}
