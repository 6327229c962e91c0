namespace Pingvas.Core.Scheduling;

/// <summary>
/// The queue's ordering rules (PRODUCT.md §4): plan priority first, aged by waiting time; within
/// a level, users take turns (round-robin by rounds, least recently served first), and each
/// user's own jobs run in submission order.
/// </summary>
public static class QueueOrder
{
    /// <summary>
    /// The priority a job competes with now. Waiting counts from the later of its submission and its
    /// owner's last start, so one user's backlog does not age into an advantage over other users.
    /// </summary>
    public static int EffectivePriority(QueueCandidate job, DateTime now, AgingPolicy aging)
    {
        // Only a user's next job ages: the ones behind it start their wait when it starts.
        if (job.UserRound > 0 || aging.StepSeconds <= 0)
        {
            return job.PlanPriority;
        }

        var waitingSince = job.UserLastServedAt is { } served && served > job.EnqueuedAt ? served : job.EnqueuedAt;
        var waited = Math.Max(0, (now - waitingSince).TotalSeconds);

        // Clamp in floating point so absurd waits cannot overflow the integer bonus.
        var bonus = Math.Min(Math.Floor(waited / aging.StepSeconds), aging.MaxPriority);
        return Math.Max(job.PlanPriority, Math.Min(aging.MaxPriority, job.PlanPriority + (int)bonus));
    }

    /// <summary>Every queued job in the order it is expected to start.</summary>
    public static IReadOnlyList<QueueCandidate> Sort(IEnumerable<QueueCandidate> jobs, DateTime now, AgingPolicy aging) =>
        jobs.Select(j => (Job: j, Priority: EffectivePriority(j, now, aging)))
            .OrderByDescending(x => x.Priority)
            .ThenBy(x => x.Job.UserRound)
            .ThenBy(x => x.Job.UserLastServedAt ?? DateTime.MinValue)
            .ThenBy(x => x.Job.EnqueuedAt)
            .ThenBy(x => x.Job.JobId)
            .Select(x => x.Job)
            .ToList();

    /// <summary>The job to start next: the first in order whose owner has a free running slot.</summary>
    public static QueueCandidate? Next(IEnumerable<QueueCandidate> jobs, DateTime now, AgingPolicy aging) =>
        Sort(jobs.Where(j => j.UserHasFreeSlot), now, aging).FirstOrDefault();

    /// <summary>1-based positions of every queued job in the expected start order.</summary>
    public static IReadOnlyDictionary<Guid, int> Positions(IEnumerable<QueueCandidate> jobs, DateTime now, AgingPolicy aging) =>
        Sort(jobs, now, aging).Select((j, i) => (j.JobId, Position: i + 1)).ToDictionary(x => x.JobId, x => x.Position);
}
