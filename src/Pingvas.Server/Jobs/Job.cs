namespace Pingvas.Server.Jobs;

/// <summary>
/// A generation job: the request, its place in the queue, and its outcome. The jobs table is the
/// queue. State changes only through the methods below, each guarded by <see cref="JobTransitions"/>:
/// a change the current state does not allow returns false and leaves the job as it was.
/// Side effects (credits, events, wake-ups) are <see cref="JobLifecycle"/>'s.
/// </summary>
public sealed class Job
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public JobStatus Status { get; set; }

    public required string Prompt { get; set; }

    public string? NegativePrompt { get; set; }

    public required string ModelId { get; set; }

    public int Width { get; set; }

    public int Height { get; set; }

    public int Steps { get; set; }

    public double CfgScale { get; set; }

    public required string Scheduler { get; set; }

    public long Seed { get; set; }

    public int BatchSize { get; set; }

    public JobKind Kind { get; set; } = JobKind.Txt2Img;

    /// <summary>The owner's upload or gallery image the job starts from: img2img and inpaint's init image, upscale's source.</summary>
    public Guid? InitImageId { get; set; }

    /// <summary>Inpaint: the owner's upload or gallery image marking the area to repaint.</summary>
    public Guid? MaskImageId { get; set; }

    /// <summary>Img2img and inpaint: 0 keeps the init image, 1 ignores it.</summary>
    public double? Strength { get; set; }

    /// <summary>Upscale: 2 or 4.</summary>
    public int? UpscaleScale { get; set; }

    /// <summary>
    /// A workflow job's checked graph (JSON, queue-API shape), its model and image fields rewritten
    /// to Pingvas references the worker resolves on its node; null for every other job.
    /// <see cref="Kind"/> is then what the graph amounts to for an engine that cannot run graphs.
    /// </summary>
    public string? Graph { get; set; }

    /// <summary>The saved or shared workflow a workflow job ran, if it came from one.</summary>
    public Guid? WorkflowId { get; set; }

    /// <summary>JSON of the request's LoRAs, control images and reference image (<c>Generation.JobAddOns</c>); null when none.</summary>
    public string? AddOns { get; set; }

    /// <summary>JSON array of the request's normalised tags, given to its images; null when none.</summary>
    public string? Tags { get; set; }

    /// <summary>Bytes its outputs may take, held against the owner's storage quota while it waits or runs (<c>StorageQuota</c>).</summary>
    public long ReservedBytes { get; set; }

    /// <summary>The per-generation webhook's target (<c>Webhooks/</c>), null when none.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>The events sent to <see cref="WebhookUrl"/>, comma-separated.</summary>
    public string? WebhookEvents { get; set; }

    /// <summary>The plan's queue priority when submitted (an upgrade does not reorder queued jobs).</summary>
    public int Priority { get; set; }

    public int ReservedCredits { get; set; }

    public int? CreditsCharged { get; set; }

    public long? ComputeMs { get; set; }

    public long? ModelLoadMs { get; set; }

    public string? Engine { get; set; }

    /// <summary>What an external provider charged us for the job, in US dollars (relays only; admin data, not in GenerationDto).</summary>
    public decimal? ProviderCostUsd { get; set; }

    public int ProgressStep { get; set; }

    public int ProgressTotal { get; set; }

    /// <summary>How many times a worker claimed the job; the fencing token of the current claim (<see cref="JobLease"/>).</summary>
    public int Attempt { get; set; }

    /// <summary>Claims that ended badly (lease lost, retryable engine failure); at the limit the job is dead-lettered.</summary>
    public int FailedAttempts { get; set; }

    public string? WorkerId { get; set; }

    public DateTime? LeaseExpiresAt { get; set; }

    /// <summary>Not claimable before this time: the backoff after a worker lost the job.</summary>
    public DateTime? AvailableAt { get; set; }

    public bool CancelRequested { get; set; }

    public string? ErrorCode { get; set; }

    public string? Error { get; set; }

    /// <summary>The client's Idempotency-Key header, unique per user: a replayed submit returns this job.</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>A hash of the submitted request, so a key replayed with a different body is refused.</summary>
    public string? RequestHash { get; set; }

    /// <summary>The submit's W3C trace context, under which the worker's spans start (<c>Telemetry/JobActivities</c>).</summary>
    public string? TraceContext { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    public bool IsTerminal => JobTransitions.IsTerminal(Status);

    public bool Can(JobTrigger trigger) => JobTransitions.Target(Status, trigger) is not null;

    /// <summary>The worker's lease on this claim, if it is running.</summary>
    public JobLease? Lease => Status == JobStatus.Running && WorkerId is not null ? new JobLease(Id, UserId, Attempt, WorkerId) : null;

    /// <summary>Mirrors the claim that PostgreSQL applies in SQL (Queue/JobClaimer): a test keeps the two in step.</summary>
    public bool Claim(string workerId, DateTime now, DateTime leaseUntil)
    {
        if (!Enter(JobTrigger.Claim))
        {
            return false;
        }

        Attempt++;
        WorkerId = workerId;
        StartedAt = now;
        LeaseExpiresAt = leaseUntil;
        ProgressStep = 0;
        return true;
    }

    public bool RecordProgress(int step)
    {
        if (!Enter(JobTrigger.Progress))
        {
            return false;
        }

        ProgressStep = Math.Clamp(step, 0, ProgressTotal);
        return true;
    }

    public bool RequestCancel()
    {
        if (CancelRequested || !Enter(JobTrigger.RequestCancel))
        {
            return false;
        }

        CancelRequested = true;
        return true;
    }

    public bool Succeed(DateTime now, string engine, long computeMs, long modelLoadMs, int charged, decimal? providerCostUsd = null)
    {
        if (!Enter(JobTrigger.Succeed))
        {
            return false;
        }

        Engine = engine;
        ComputeMs = computeMs;
        ModelLoadMs = modelLoadMs;
        ProviderCostUsd = providerCostUsd;
        ProgressStep = ProgressTotal;
        CreditsCharged = charged;
        Finish(now);
        return true;
    }

    public bool Fail(DateTime now, string code, string message) => FailWith(JobTrigger.Fail, now, code, message);

    public bool TimeOut(DateTime now, int maxRunSeconds) =>
        FailWith(JobTrigger.TimeOut, now, "timed_out", $"The generation ran longer than {maxRunSeconds} s and was stopped; your credits were refunded.");

    public bool DeadLetter(DateTime now, string code, string message) => FailWith(JobTrigger.DeadLetter, now, code, message);

    public bool CancelQueued(DateTime now)
    {
        if (!Enter(JobTrigger.CancelQueued))
        {
            return false;
        }

        CreditsCharged = 0;
        Finish(now);
        return true;
    }

    public bool CancelRunning(DateTime now, long usedMs, int charged)
    {
        if (!Enter(JobTrigger.CancelRunning))
        {
            return false;
        }

        ComputeMs = usedMs;
        CreditsCharged = charged;
        Finish(now);
        return true;
    }

    public bool CancelOrphaned(DateTime now)
    {
        if (!Enter(JobTrigger.CancelOrphaned))
        {
            return false;
        }

        CreditsCharged = 0;
        ErrorCode = null;
        Finish(now);
        return true;
    }

    /// <summary>The worker vanished: back in the queue, not claimable before <paramref name="availableAt"/>.</summary>
    public bool RequeueLost(DateTime? availableAt) => BackToQueue(JobTrigger.RequeueLost, availableAt, failed: true);

    /// <summary>The worker is stopping: back in the queue at once; a drain is not the job's failure.</summary>
    public bool HandBack() => BackToQueue(JobTrigger.HandBack, null, failed: false);

    public bool Retry(DateTime availableAt) => BackToQueue(JobTrigger.Retry, availableAt, failed: true);

    private bool FailWith(JobTrigger trigger, DateTime now, string code, string message)
    {
        if (!Enter(trigger))
        {
            return false;
        }

        ErrorCode = code;
        Error = message;
        CreditsCharged = 0;
        Finish(now);
        return true;
    }

    private bool BackToQueue(JobTrigger trigger, DateTime? availableAt, bool failed)
    {
        if (!Enter(trigger))
        {
            return false;
        }

        WorkerId = null;
        LeaseExpiresAt = null;
        StartedAt = null;
        ProgressStep = 0;
        AvailableAt = availableAt;
        if (failed)
        {
            FailedAttempts++;
        }

        return true;
    }

    private void Finish(DateTime now)
    {
        FinishedAt = now;
        LeaseExpiresAt = null;
    }

    private bool Enter(JobTrigger trigger)
    {
        if (JobTransitions.Target(Status, trigger) is not { } next)
        {
            return false;
        }

        Status = next;
        return true;
    }
}

/// <summary>
/// A worker's claim on a running job. <see cref="Attempt"/>, which every claim raises, is the
/// fencing token, checked together with the (unique) worker id: every write the worker makes is
/// conditioned on both, so once the job was re-claimed, re-queued, cancelled, timed out or
/// dead-lettered, the old worker's writes match nothing.
/// </summary>
public sealed record JobLease(Guid JobId, Guid UserId, int Attempt, string WorkerId);
