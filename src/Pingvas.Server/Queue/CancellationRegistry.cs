using System.Collections.Concurrent;

namespace Pingvas.Server.Queue;

/// <summary>
/// The runs of this process by job id, so an owner's cancel stops its job at the next step. A job
/// running elsewhere is reached through <see cref="IQueueBroadcast"/>.
/// </summary>
public sealed class CancellationRegistry(IQueueBroadcast? broadcast = null)
{
    private readonly ConcurrentDictionary<Guid, JobRun> running = new();
    private readonly IQueueBroadcast broadcast = broadcast ?? IQueueBroadcast.None;

    public void Register(JobRun run) => running[run.Lease.JobId] = run;

    public void Unregister(JobRun run) => running.TryRemove(new KeyValuePair<Guid, JobRun>(run.Lease.JobId, run));

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
        if (!running.TryGetValue(jobId, out var run))
        {
            return false;
        }

        run.Stop(RunStop.Cancelled);
        return true;
    }
}
