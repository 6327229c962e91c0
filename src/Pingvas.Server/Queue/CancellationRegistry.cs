using System.Collections.Concurrent;

namespace Pingvas.Server.Queue;

/// <summary>
/// Cancellation handles of the jobs running in this process, so a cancel request stops its job at
/// the next step. A job running elsewhere is reached through <see cref="IQueueBroadcast"/>.
/// </summary>
public sealed class CancellationRegistry(IQueueBroadcast? broadcast = null)
{
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> running = new();
    private readonly IQueueBroadcast broadcast = broadcast ?? IQueueBroadcast.None;

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

    /// <summary>Cancels the job here if it runs in this process, otherwise asks the other processes to.</summary>
    /// <returns>Whether the job was running in this process.</returns>
    public bool Cancel(Guid jobId)
    {
        if (CancelLocal(jobId))
        {
            return true;
        }

        broadcast.CancelJob(jobId);
        return false;
    }

    /// <summary>Cancels the job if it runs in this process (a request heard from another process).</summary>
    public bool CancelLocal(Guid jobId)
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
