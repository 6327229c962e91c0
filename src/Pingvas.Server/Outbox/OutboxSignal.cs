namespace Pingvas.Server.Outbox;

/// <summary>
/// Wakes this process's outbox dispatcher: at once after a commit of our own that wrote messages,
/// and a moment later (<see cref="WakeSoon"/>) on a <c>NOTIFY</c> from any process. The process
/// that committed delivers its own messages at once; the others only stand by in case it cannot,
/// so their wake-ups are coalesced to one take per <see cref="RemoteDelay"/> however busy it gets.
/// </summary>
public sealed class OutboxSignal
{
    /// <summary>How long a wake-up heard from elsewhere waits, gathering the ones that follow.</summary>
    public static readonly TimeSpan RemoteDelay = TimeSpan.FromMilliseconds(250);

    private readonly SemaphoreSlim signal = new(0);
    private int scheduled;

    public void Wake()
    {
        // One pending wake-up is enough: the dispatcher takes everything that is due.
        if (signal.CurrentCount == 0)
        {
            signal.Release();
        }
    }

    /// <summary>A wake-up heard on <c>pingvas_outbox</c>: wakes the dispatcher after <see cref="RemoteDelay"/>, once for a burst.</summary>
    public void WakeSoon()
    {
        if (Interlocked.Exchange(ref scheduled, 1) == 0)
        {
            _ = Task.Delay(RemoteDelay).ContinueWith(
                _ =>
                {
                    Volatile.Write(ref scheduled, 0);
                    Wake();
                },
                TaskScheduler.Default);
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => signal.WaitAsync(timeout, ct);
}
