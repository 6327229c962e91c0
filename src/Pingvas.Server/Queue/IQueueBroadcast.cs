namespace Pingvas.Server.Queue;

/// <summary>
/// Carries queue wake-ups and cancel requests to the other processes sharing the database
/// (<c>NOTIFY</c> on PostgreSQL, <c>Realtime/PostgresBroadcast</c>). In a single process there is
/// no one else to tell (<see cref="None"/>). Both calls return at once and never throw: delivery
/// is best effort, backed by the workers' poll and the heartbeat's look at the cancel flag.
/// </summary>
public interface IQueueBroadcast
{
    static readonly IQueueBroadcast None = new Nobody();

    /// <summary>Work may have become claimable (a submit, a finished job freeing a user's slot).</summary>
    void WakeWorkers();

    /// <summary>The owner asked to cancel a job that is not running in this process.</summary>
    void CancelJob(Guid jobId);

    private sealed class Nobody : IQueueBroadcast
    {
        public void WakeWorkers()
        {
        }

        public void CancelJob(Guid jobId)
        {
        }
    }
}
