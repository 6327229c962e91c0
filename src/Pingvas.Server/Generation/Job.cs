namespace Pingvas.Server.Generation;

/// <summary>A generation job: the request, its place in the queue, and its outcome. The jobs table is the queue.</summary>
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

    /// <summary>The plan's queue priority when submitted (an upgrade does not reorder queued jobs).</summary>
    public int Priority { get; set; }

    public int ReservedCredits { get; set; }

    public int? CreditsCharged { get; set; }

    public long? ComputeMs { get; set; }

    public long? ModelLoadMs { get; set; }

    public string? Engine { get; set; }

    public int ProgressStep { get; set; }

    public int ProgressTotal { get; set; }

    public int Attempt { get; set; }

    public string? WorkerId { get; set; }

    public DateTime? LeaseExpiresAt { get; set; }

    /// <summary>Not claimable before this time: the backoff after a worker lost the job.</summary>
    public DateTime? AvailableAt { get; set; }

    public bool CancelRequested { get; set; }

    public string? ErrorCode { get; set; }

    public string? Error { get; set; }

    /// <summary>The client's Idempotency-Key header, unique per user: a replayed submit returns this job.</summary>
    public string? IdempotencyKey { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }
}

public enum JobStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}
