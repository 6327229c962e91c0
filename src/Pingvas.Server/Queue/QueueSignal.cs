namespace Pingvas.Server.Queue;

/// <summary>
/// Wakes idle workers when work may have become claimable (a submit, a finished job freeing a
/// user's slot): this process's at once, and other processes' through <see cref="IQueueBroadcast"/>.
/// Workers also poll slowly, so a lost signal only delays a start.
/// </summary>
public sealed class QueueSignal(IQueueBroadcast? broadcast = null)
{
    private readonly SemaphoreSlim signal = new(0);
    private readonly IQueueBroadcast broadcast = broadcast ?? IQueueBroadcast.None;

    /// <summary>Wakes the workers of this process and of every other process.</summary>
    public void Notify()
    {
        NotifyLocal();
        broadcast.WakeWorkers();
    }

    /// <summary>Wakes this process's workers only (a wake-up heard from another process).</summary>
    public void NotifyLocal()
    {
        // A few pending wake-ups are enough; an unbounded count would only cause empty claims.
        if (signal.CurrentCount < 8)
        {
            signal.Release();
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => signal.WaitAsync(timeout, ct);
}
