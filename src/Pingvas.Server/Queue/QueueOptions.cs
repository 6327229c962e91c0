namespace Pingvas.Server.Queue;

/// <summary>Queue and worker settings (section <c>Queue</c> and <c>Worker</c>).</summary>
public sealed class QueueOptions
{
    /// <summary>Seconds of waiting that raise a job one priority level.</summary>
    public double AgingSeconds { get; set; } = 60;

    /// <summary>How long a claimed job is leased to its worker without a heartbeat.</summary>
    public int LeaseSeconds { get; set; } = 60;

    /// <summary>
    /// How long a job may be passed over by workers preferring the model they have loaded
    /// (<see cref="Pingvas.Core.Scheduling.ClaimPolicy"/>); 0 turns model affinity off.
    /// </summary>
    public double AffinityMaxDelaySeconds { get; set; } = 10;

    /// <summary>
    /// How long a fresh job is left to an idle worker of a faster GPU class that serves its model
    /// before a slower worker may take it (<see cref="Pingvas.Core.Scheduling.ClaimPolicy"/>).
    /// </summary>
    public double FasterWorkerGraceSeconds { get; set; } = 2;

    /// <summary>
    /// How long a fresh job with LoRAs is left to another idle worker serving its model that holds
    /// one of them, when the asking worker holds none (<see cref="Pingvas.Core.Scheduling.ClaimPolicy"/>); 0 turns it off.
    /// </summary>
    public double LoraAffinityGraceSeconds { get; set; } = 2;

    /// <summary>Fallback poll when no wake-up arrives.</summary>
    public int PollMilliseconds { get; set; } = 1000;

    /// <summary>How old the queue snapshot behind reported positions may be (<see cref="QueueSnapshot"/>).</summary>
    public int SnapshotMilliseconds { get; set; } = 1000;

    /// <summary>A user's queued (not yet running) jobs are capped so one account cannot flood the queue.</summary>
    public int MaxQueuedPerUser { get; set; } = 100;

    /// <summary>Failed attempts (lost worker, retryable engine failure) before a job is dead-lettered and refunded.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>A run longer than this is stopped, failed with <c>timed_out</c> and refunded (0: no limit).</summary>
    public int MaxRunSeconds { get; set; } = 600;

    /// <summary>Backoff before retrying a job whose worker vanished: this many seconds, doubled per attempt.</summary>
    public double RetryBackoffSeconds { get; set; } = 5;

    public TimeSpan BackoffFor(int attempt) =>
        TimeSpan.FromSeconds(RetryBackoffSeconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 10)));
}

public sealed class WorkerOptions
{
    /// <summary>Jobs this process runs at once (in-process workers).</summary>
    public int Concurrency { get; set; } = 1;

    /// <summary>
    /// On shutdown (SIGTERM, a Spot interruption's 2-minute notice) a running job may finish for
    /// this long; after that it is handed back to the queue to run elsewhere.
    /// </summary>
    public int ShutdownGraceSeconds { get; set; } = 25;
}
