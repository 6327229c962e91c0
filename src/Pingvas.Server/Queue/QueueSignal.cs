namespace Pingvas.Server.Queue;

/// <summary>
/// Wakes idle workers of this process when work may have become claimable (a submit, a finished
/// job freeing a user's slot). Workers also poll slowly, so a lost signal only delays a start.
/// </summary>
public sealed class QueueSignal
{
    private readonly SemaphoreSlim signal = new(0);

    public void Notify()
    {
        // A few pending wake-ups are enough; an unbounded count would only cause empty claims.
        if (signal.CurrentCount < 8)
        {
            signal.Release();
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => signal.WaitAsync(timeout, ct);
}
