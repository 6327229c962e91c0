namespace Pingvas.Core.Scheduling;

/// <summary>
/// The next job of one user for one model: the only job of that pair that competes for a worker
/// (a user's jobs for a model start in submission order). <paramref name="Blocked"/>: its owner is
/// at the plan's running limit. <paramref name="PassedOverAt"/>: when a worker first took another
/// job instead of it for model affinity (it may be passed over for a bounded time only).
/// <paramref name="Loras"/>: the LoRAs the job uses (null or empty: none).
/// </summary>
public sealed record QueueHead(
    Guid JobId,
    Guid UserId,
    string ModelId,
    int PlanPriority,
    DateTime EnqueuedAt,
    DateTime? UserLastServedAt,
    DateTime? AvailableAt,
    DateTime? PassedOverAt,
    bool Blocked,
    IReadOnlyCollection<Guid>? Loras = null)
{
    /// <summary>The head as the queue's ordering rules see it (every head is its owner's round 0 for its model).</summary>
    public QueueCandidate AsCandidate() => new(JobId, UserId, PlanPriority, EnqueuedAt, UserLastServedAt, 0, 0, null);

    /// <summary>When it could first start: submitted, or back from a retry's backoff.</summary>
    public DateTime ReadyAt => AvailableAt is { } at && at > EnqueuedAt ? at : EnqueuedAt;

    public bool CanStart(DateTime now) => !Blocked && (AvailableAt is null || AvailableAt <= now);
}
