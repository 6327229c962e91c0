using Pingvas.Core.Scheduling;

namespace Pingvas.Core.Tests;

/// <summary>Builders shared by the queue ordering tests.</summary>
internal static class QueueTestKit
{
    internal static readonly DateTime Now = new(2026, 3, 15, 12, 0, 0, DateTimeKind.Utc);
    internal static readonly AgingPolicy Aging = AgingPolicy.Default;

    internal const int Free = 2;
    internal const int Starter = 4;
    internal const int Pro = 6;
    internal const int Studio = 8;
    internal const int Enterprise = 10;

    internal static int counter;

    internal static Guid NewId() => new(Interlocked.Increment(ref counter), 0, 0, new byte[8]);

    internal static QueueCandidate Job(
        Guid user,
        int priority,
        DateTime? enqueuedAt = null,
        DateTime? lastServed = null,
        int round = 0,
        int running = 0,
        int? limit = 1) =>
        new(NewId(), user, priority, enqueuedAt ?? Now, lastServed, round, running, limit);

    /// <summary>A user's backlog submitted 50 ms apart, rounds in submission order.</summary>
    internal static List<QueueCandidate> Backlog(Guid user, int priority, int count, DateTime firstEnqueued, DateTime? lastServed = null) =>
        Enumerable.Range(0, count)
            .Select(i => Job(user, priority, firstEnqueued.AddMilliseconds(50 * i), lastServed, round: i))
            .ToList();

    internal static List<Guid> SortedIds(IEnumerable<QueueCandidate> jobs) => QueueOrder.Sort(jobs, Now, Aging).Select(j => j.JobId).ToList();

    /// <summary>
    /// Starts <paramref name="count"/> jobs at one instant with <see cref="QueueOrder.Next"/>, updating
    /// each started user's last start and the remaining jobs' rounds as the scheduler would.
    /// </summary>
    internal static List<QueueCandidate> Dispatch(List<QueueCandidate> queue, DateTime now, int count)
    {
        var started = new List<QueueCandidate>();
        var remaining = queue.ToList();
        for (var i = 0; i < count; i++)
        {
            var next = QueueOrder.Next(remaining, now, Aging);
            Assert.NotNull(next);
            started.Add(next);
            remaining.Remove(next);
            remaining = remaining
                .Select(j => j.UserId == next.UserId
                    ? j with { UserLastServedAt = now, UserRound = j.UserRound - 1, UserRunning = j.UserRunning + 1 }
                    : j)
                .ToList();
        }

        return started;
    }

    /// <summary>
    /// A consistent random queue: each user has one plan, a last start, a running count within the
    /// plan's limit, and jobs whose rounds follow submission order.
    /// </summary>
    internal static List<QueueCandidate> RandomQueue(Random random, int size)
    {
        (int Priority, int? Limit)[] plans = [(Free, 1), (Starter, 1), (Pro, 1), (Studio, 3), (Enterprise, null)];
        var users = Enumerable.Range(0, random.Next(1, 12))
            .Select(_ =>
            {
                var plan = plans[random.Next(plans.Length)];
                DateTime? lastServed = random.Next(3) == 0 ? null : Now.AddSeconds(-random.Next(0, 3600));
                var running = random.Next(0, (plan.Limit ?? 5) + 1);
                return (Id: NewId(), plan.Priority, plan.Limit, LastServed: lastServed, Running: running);
            })
            .ToList();

        return Enumerable.Range(0, size)
            .Select(_ => (User: users[random.Next(users.Count)], Enqueued: Now.AddSeconds(-random.Next(0, 1800))))
            .GroupBy(x => x.User.Id)
            .SelectMany(g => g
                .OrderBy(x => x.Enqueued)
                .Select((x, round) => new QueueCandidate(
                    NewId(), x.User.Id, x.User.Priority, x.Enqueued, x.User.LastServed, round, x.User.Running, x.User.Limit)))
            .ToList();
    }
}
