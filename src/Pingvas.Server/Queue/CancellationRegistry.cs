using System.Collections.Concurrent;

namespace Pingvas.Server.Queue;

/// <summary>Cancellation handles of the jobs running in this process, so a cancel request stops its job at the next step.</summary>
public sealed class CancellationRegistry
{
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> running = new();

    public CancellationTokenSource Register(Guid jobId, CancellationToken stopping)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        running[jobId] = source;
        return source;
    }

    public void Unregister(Guid jobId)
    {
        if (running.TryRemove(jobId, out var source))
        {
            source.Dispose();
        }
    }

    public bool Cancel(Guid jobId)
    {
        if (!running.TryGetValue(jobId, out var source))
        {
            return false;
        }

        try
        {
            source.Cancel();
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }
}
