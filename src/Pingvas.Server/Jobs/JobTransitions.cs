namespace Pingvas.Server.Jobs;

public enum JobStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>Everything that can happen to a job. Each is one row of <see cref="JobTransitions.Table"/>.</summary>
public enum JobTrigger
{
    /// <summary>A worker took the job (the fencing token, <see cref="Job.Attempt"/>, goes up by one).</summary>
    Claim,

    /// <summary>A step finished; the worker records it.</summary>
    Progress,

    /// <summary>The worker's heartbeat extends its lease.</summary>
    RenewLease,

    /// <summary>The owner asked to stop a running job; its worker will stop and charge the seconds used.</summary>
    RequestCancel,

    Succeed,

    /// <summary>The engine failed: a full refund.</summary>
    Fail,

    /// <summary>The job ran longer than <c>Queue:MaxRunSeconds</c>: failed with <c>timed_out</c>, refunded.</summary>
    TimeOut,

    /// <summary>The owner cancelled a job that had not started: a full refund.</summary>
    CancelQueued,

    /// <summary>The worker stopped the job on its owner's request: the seconds used are charged.</summary>
    CancelRunning,

    /// <summary>A cancel met a job whose worker is gone: cancelled with a full refund, never run again.</summary>
    CancelOrphaned,

    /// <summary>The worker's lease ran out (or its process died): back in the queue after a backoff.</summary>
    RequeueLost,

    /// <summary>The worker is shutting down and gives the job back untouched.</summary>
    HandBack,

    /// <summary>The engine failed in a way worth another try (a node went away): back in the queue after a backoff.</summary>
    Retry,

    /// <summary>The job lost its worker or failed retryably too often: failed, refunded.</summary>
    DeadLetter,
}

/// <summary>
/// The job state machine: which trigger may move a job from which state, and to which. The job
/// aggregate (<see cref="Job"/>) consults it before every change, so a transition that is not
/// allowed is refused in one place; <see cref="JobLifecycle"/> adds the side effects.
/// </summary>
public static class JobTransitions
{
    public static readonly IReadOnlyDictionary<JobTrigger, (JobStatus From, JobStatus To)> Table = new Dictionary<JobTrigger, (JobStatus, JobStatus)>
    {
        [JobTrigger.Claim] = (JobStatus.Queued, JobStatus.Running),
        [JobTrigger.Progress] = (JobStatus.Running, JobStatus.Running),
        [JobTrigger.RenewLease] = (JobStatus.Running, JobStatus.Running),
        [JobTrigger.RequestCancel] = (JobStatus.Running, JobStatus.Running),
        [JobTrigger.Succeed] = (JobStatus.Running, JobStatus.Succeeded),
        [JobTrigger.Fail] = (JobStatus.Running, JobStatus.Failed),
        [JobTrigger.TimeOut] = (JobStatus.Running, JobStatus.Failed),
        [JobTrigger.CancelQueued] = (JobStatus.Queued, JobStatus.Cancelled),
        [JobTrigger.CancelRunning] = (JobStatus.Running, JobStatus.Cancelled),
        [JobTrigger.CancelOrphaned] = (JobStatus.Running, JobStatus.Cancelled),
        [JobTrigger.RequeueLost] = (JobStatus.Running, JobStatus.Queued),
        [JobTrigger.HandBack] = (JobStatus.Running, JobStatus.Queued),
        [JobTrigger.Retry] = (JobStatus.Running, JobStatus.Queued),
        [JobTrigger.DeadLetter] = (JobStatus.Running, JobStatus.Failed),
    };

    public static bool IsTerminal(JobStatus status) => status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled;

    /// <summary>The state <paramref name="trigger"/> leads to from <paramref name="from"/>, or null when it is not allowed there.</summary>
    public static JobStatus? Target(JobStatus from, JobTrigger trigger) =>
        Table.TryGetValue(trigger, out var row) && row.From == from ? row.To : null;
}
