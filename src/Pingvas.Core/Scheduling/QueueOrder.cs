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

    /// <summary>The start order as a comparison: earlier-starting jobs compare lower.</summary>
    public static IComparer<QueueCandidate> Comparer(DateTime now, AgingPolicy aging) => new StartOrder(now, aging);

    /// <summary>Every queued job in the order it is expected to start.</summary>
    public static IReadOnlyList<QueueCandidate> Sort(IEnumerable<QueueCandidate> jobs, DateTime now, AgingPolicy aging) =>
        jobs.Order(Comparer(now, aging)).ToList();

    /// <summary>The job to start next: the first in order whose owner has a free running slot.</summary>
    public static QueueCandidate? Next(IEnumerable<QueueCandidate> jobs, DateTime now, AgingPolicy aging) =>
        Sort(jobs.Where(j => j.UserHasFreeSlot), now, aging).FirstOrDefault();

    /// <summary>1-based positions of every queued job in the expected start order.</summary>
    public static IReadOnlyDictionary<Guid, int> Positions(IEnumerable<QueueCandidate> jobs, DateTime now, AgingPolicy aging) =>
        Sort(jobs, now, aging).Select((j, i) => (j.JobId, Position: i + 1)).ToDictionary(x => x.JobId, x => x.Position);

    /// <summary>
    /// The 1-based position <paramref name="job"/> would take in a queue already in start order
    /// (<see cref="Sort"/> with the same <paramref name="now"/>), found by binary search.
    /// </summary>
    public static int PositionAmong(IReadOnlyList<QueueCandidate> sorted, QueueCandidate job, DateTime now, AgingPolicy aging)
    {
        var order = Comparer(now, aging);
        int low = 0, high = sorted.Count;
        while (low < high)
        {
            var mid = low + ((high - low) / 2);
            if (order.Compare(sorted[mid], job) < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low + 1;
    }

    private sealed class StartOrder(DateTime now, AgingPolicy aging) : IComparer<QueueCandidate>
    {
        public int Compare(QueueCandidate? x, QueueCandidate? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }

            var byPriority = EffectivePriority(y, now, aging).CompareTo(EffectivePriority(x, now, aging));
            if (byPriority != 0)
            {
                return byPriority;
            }

            var byRound = x.UserRound.CompareTo(y.UserRound);
            if (byRound != 0)
            {
                return byRound;
            }

            var byServed = (x.UserLastServedAt ?? DateTime.MinValue).CompareTo(y.UserLastServedAt ?? DateTime.MinValue);
            if (byServed != 0)
            {
                return byServed;
            }

            var byAge = x.EnqueuedAt.CompareTo(y.EnqueuedAt);
            return byAge != 0 ? byAge : x.JobId.CompareTo(y.JobId);
        }
    }
}
