namespace Pingvas.Core.Scheduling;

/// <summary>
/// A queued job as the scheduler sees it. <paramref name="UserRound"/> is the job's rank among
/// its owner's queued jobs (0 = the owner's next job); <paramref name="UserLastServedAt"/> is when
/// the owner last had a job started.
/// </summary>
public sealed record QueueCandidate(
    Guid JobId,
    Guid UserId,
    int PlanPriority,
    DateTime EnqueuedAt,
    DateTime? UserLastServedAt,
    int UserRound,
    int UserRunning,
    int? UserConcurrencyLimit)
{
    public bool UserHasFreeSlot => UserConcurrencyLimit is null || UserRunning < UserConcurrencyLimit;
}
