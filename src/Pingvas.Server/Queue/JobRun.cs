using Pingvas.Server.Jobs;

namespace Pingvas.Server.Queue;

/// <summary>Why a run stopped before its engine finished.</summary>
public enum RunStop
{
    /// <summary>The owner asked: the worker charges the seconds used.</summary>
    Cancelled,

    /// <summary>The process is shutting down and the grace period is over: the job goes back to the queue.</summary>
    ShuttingDown,

    /// <summary>It ran longer than <c>Queue:MaxRunSeconds</c>: failed with <c>timed_out</c>, refunded.</summary>
    TimedOut,

    /// <summary>The claim is no longer the job's (another worker, a final state): stop and write nothing.</summary>
    Fenced,
}

/// <summary>
/// One claimed job running on this worker: its lease (the fencing token), the token that stops
/// its engine, and the first reason it was stopped for — later reasons do not override it.
/// </summary>
public sealed class JobRun : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly CancellationTokenSource timeout;
    private readonly CancellationTokenRegistration onShutdown;
    private int reason = -1;

    public JobRun(Job job, JobLease lease, CancellationToken shutdown, TimeSpan maxRun, TimeProvider time)
    {
        Job = job;
        Lease = lease;
        onShutdown = shutdown.Register(() => Stop(RunStop.ShuttingDown));
        timeout = maxRun > TimeSpan.Zero ? new CancellationTokenSource(maxRun, time) : new CancellationTokenSource();
        timeout.Token.Register(() => Stop(RunStop.TimedOut));
    }

    public Job Job { get; }

    public JobLease Lease { get; }

    /// <summary>Fires when the run must stop, for whatever <see cref="StopReason"/>.</summary>
    public CancellationToken Token => stop.Token;

    public RunStop? StopReason => reason < 0 ? null : (RunStop)Volatile.Read(ref reason);

    /// <summary>Stops the engine for <paramref name="why"/>, unless it was already stopped for another reason.</summary>
    public void Stop(RunStop why)
    {
        if (Interlocked.CompareExchange(ref reason, (int)why, -1) == -1)
        {
            try
            {
                stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The run is over already.
            }
        }
    }

    public void Dispose()
    {
        onShutdown.Dispose();
        timeout.Dispose();
        stop.Dispose();
    }
}
