namespace Pingvas.Server.Outbox;

/// <summary>Wakes this process's outbox dispatcher: after a commit that wrote messages, or a <c>NOTIFY</c> from another process.</summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim signal = new(0);

    public void Wake()
    {
        // One pending wake-up is enough: the dispatcher takes everything that is due.
        if (signal.CurrentCount == 0)
        {
            signal.Release();
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => signal.WaitAsync(timeout, ct);
}
