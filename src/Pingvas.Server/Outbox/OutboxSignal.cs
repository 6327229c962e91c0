namespace Pingvas.Server.Outbox;

/// <summary>
/// Wakes this process's outbox dispatchers (the main one and each lane): at once after a commit of
/// our own that wrote messages, and a moment later (<see cref="WakeSoon"/>) on a <c>NOTIFY</c> from
/// any process. The process that committed delivers its own messages at once; the others only
/// stand by in case it cannot, so their wake-ups are coalesced to one take per
/// <see cref="RemoteDelay"/> however busy it gets.
/// </summary>
public sealed class OutboxSignal
{
    /// <summary>How long a wake-up heard from elsewhere waits, gathering the ones that follow.</summary>
    public static readonly TimeSpan RemoteDelay = TimeSpan.FromMilliseconds(250);

    private readonly Lock gate = new();
    private readonly List<OutboxWaker> wakers = [];
    private int scheduled;

    /// <summary>A wake-up of its own for one dispatcher loop; every <see cref="Wake"/> reaches all of them.</summary>
    public OutboxWaker Register()
    {
        var waker = new OutboxWaker();
        lock (gate)
        {
            wakers.Add(waker);
        }

        return waker;
    }

    public void Wake()
    {
        lock (gate)
        {
            foreach (var waker in wakers)
            {
                waker.Wake();
            }
        }
    }

    /// <summary>A wake-up heard on <c>pingvas_outbox</c>: wakes the dispatchers after <see cref="RemoteDelay"/>, once for a burst.</summary>
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
}

/// <summary>One dispatcher loop's wake-up: at most one pending, as the loop takes everything due when it wakes.</summary>
public sealed class OutboxWaker
{
    private readonly SemaphoreSlim signal = new(0);

    public void Wake()
    {
        if (signal.CurrentCount == 0)
        {
            signal.Release();
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => signal.WaitAsync(timeout, ct);
}
