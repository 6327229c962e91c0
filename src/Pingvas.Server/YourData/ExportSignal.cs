namespace Pingvas.Server.YourData;

/// <summary>Wakes this process's export worker when an export is queued here (others find it by polling).</summary>
public sealed class ExportSignal
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Notify()
    {
        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one wake-up covers every export queued meanwhile.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => signal.WaitAsync(timeout, ct);
}
