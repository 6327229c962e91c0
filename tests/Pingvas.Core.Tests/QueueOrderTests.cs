using Pingvas.Core.Scheduling;

namespace Pingvas.Core.Tests;

public class QueueOrderTests
{
    private static readonly DateTime Now = new(2026, 3, 15, 12, 0, 0, DateTimeKind.Utc);
    private static readonly AgingPolicy Aging = AgingPolicy.Default;

    private const int Free = 2;
    private const int Starter = 4;
    private const int Pro = 6;
    private const int Studio = 8;
    private const int Enterprise = 10;

    private static int counter;

    private static Guid NewId() => new(Interlocked.Increment(ref counter), 0, 0, new byte[8]);

    private static QueueCandidate Job(
        Guid user,
        int priority,
        DateTime? enqueuedAt = null,
        DateTime? lastServed = null,
        int round = 0,
        int running = 0,
        int? limit = 1) =>
        new(NewId(), user, priority, enqueuedAt ?? Now, lastServed, round, running, limit);

    /// <summary>A user's backlog submitted 50 ms apart, rounds in submission order.</summary>
    private static List<QueueCandidate> Backlog(Guid user, int priority, int count, DateTime firstEnqueued, DateTime? lastServed = null) =>
        Enumerable.Range(0, count)
            .Select(i => Job(user, priority, firstEnqueued.AddMilliseconds(50 * i), lastServed, round: i))
            .ToList();

    private static List<Guid> SortedIds(IEnumerable<QueueCandidate> jobs) => QueueOrder.Sort(jobs, Now, Aging).Select(j => j.JobId).ToList();

    // ---- Plan priority ----

    [Fact]
    public void Higher_plan_priority_goes_first()
    {
        var free = Job(NewId(), Free, Now.AddSeconds(-30));
        var starter = Job(NewId(), Starter, Now.AddSeconds(-20));
        var pro = Job(NewId(), Pro, Now.AddSeconds(-10));
        var studio = Job(NewId(), Studio, Now.AddSeconds(-5));
        var enterprise = Job(NewId(), Enterprise, Now);

        Assert.Equal(
            [enterprise.JobId, studio.JobId, pro.JobId, starter.JobId, free.JobId],
            SortedIds([free, pro, enterprise, starter, studio]));
    }

    [Fact]
    public void Higher_priority_beats_a_better_round_and_an_older_submission()
    {
        var freeNext = Job(NewId(), Free, Now.AddSeconds(-50), round: 0);
        var proFifth = Job(NewId(), Pro, Now, Now.AddSeconds(-1), round: 4);

        Assert.Equal([proFifth.JobId, freeNext.JobId], SortedIds([freeNext, proFifth]));
    }

    // ---- Aging ----

    [Theory]
    [InlineData(0, Free)]
    [InlineData(59.999, Free)]
    [InlineData(60, Free + 1)]
    [InlineData(119, Free + 1)]
    [InlineData(120, Free + 2)]
    [InlineData(300, Free + 5)]
    [InlineData(480, 10)]
    [InlineData(481, 10)]
    [InlineData(86_400, 10)]
    public void Waiting_raises_priority_one_level_per_step_up_to_the_maximum(double waitedSeconds, int expected)
    {
        var job = Job(NewId(), Free, Now.AddSeconds(-waitedSeconds));

        Assert.Equal(expected, QueueOrder.EffectivePriority(job, Now, Aging));
    }

    [Fact]
    public void Effective_priority_is_never_below_plan_priority()
    {
        // Enqueued in the future (clock skew): no negative aging.
        Assert.Equal(Pro, QueueOrder.EffectivePriority(Job(NewId(), Pro, Now.AddMinutes(5)), Now, Aging));

        // A priority above the aging cap is kept, not lowered to the cap.
        var vip = Job(NewId(), 12, Now.AddHours(-1));
        Assert.Equal(12, QueueOrder.EffectivePriority(vip, Now, Aging));

        // Enterprise is already at the cap.
        Assert.Equal(Enterprise, QueueOrder.EffectivePriority(Job(NewId(), Enterprise, Now.AddHours(-2)), Now, Aging));
    }

    [Fact]
    public void Aging_follows_the_policy()
    {
        var job = Job(NewId(), Free, Now.AddSeconds(-100));

        Assert.Equal(Free + 10, QueueOrder.EffectivePriority(job, Now, new AgingPolicy(StepSeconds: 10, MaxPriority: 20)));
        Assert.Equal(5, QueueOrder.EffectivePriority(job, Now, new AgingPolicy(StepSeconds: 10, MaxPriority: 5)));
        Assert.Equal(Free, QueueOrder.EffectivePriority(job, Now, new AgingPolicy(StepSeconds: 0)));
        Assert.Equal(Free, QueueOrder.EffectivePriority(job, Now, new AgingPolicy(StepSeconds: -1)));
    }

    [Fact]
    public void Effective_priority_is_capped_even_for_extreme_waits()
    {
        // With a fine-grained step the bonus exceeds int.MaxValue; the result must still be the cap,
        // not fall back to the plan priority.
        var job = Job(NewId(), Free, Now.AddHours(-1));

        Assert.Equal(10, QueueOrder.EffectivePriority(job, Now, new AgingPolicy(StepSeconds: 1e-9, MaxPriority: 10)));
    }

    [Fact]
    public void A_long_waiting_free_job_overtakes_a_fresh_pro_job()
    {
        var pro = Job(NewId(), Pro, Now);
        var freeFiveMinutes = Job(NewId(), Free, Now.AddMinutes(-5));

        Assert.Equal(Free + 5, QueueOrder.EffectivePriority(freeFiveMinutes, Now, Aging));
        Assert.Equal([freeFiveMinutes.JobId, pro.JobId], SortedIds([pro, freeFiveMinutes]));
        Assert.Equal(freeFiveMinutes.JobId, QueueOrder.Next([pro, freeFiveMinutes], Now, Aging)?.JobId);
    }

    [Fact]
    public void A_briefly_waiting_free_job_stays_behind_a_fresh_pro_job()
    {
        var pro = Job(NewId(), Pro, Now);
        var freeThreeMinutes = Job(NewId(), Free, Now.AddMinutes(-3));

        Assert.Equal([pro.JobId, freeThreeMinutes.JobId], SortedIds([freeThreeMinutes, pro]));
    }

    [Fact]
    public void Waiting_counts_from_the_users_last_start_when_that_is_later()
    {
        var user = NewId();
        var oldJob = Job(user, Free, Now.AddMinutes(-10), lastServed: Now.AddSeconds(-30));

        Assert.Equal(Free, QueueOrder.EffectivePriority(oldJob, Now, Aging));

        // The last start is before the submission: the submission counts.
        var newJob = Job(user, Free, Now.AddMinutes(-3), lastServed: Now.AddMinutes(-10));
        Assert.Equal(Free + 3, QueueOrder.EffectivePriority(newJob, Now, Aging));
    }

    [Fact]
    public void A_user_just_served_gets_no_aging_edge_from_an_old_backlog()
    {
        var a = NewId();
        var b = NewId();
        var backlog = Backlog(a, Free, 20, Now.AddMinutes(-30), lastServed: Now.AddSeconds(-5));
        var bJob = Job(b, Free, Now.AddSeconds(-90), lastServed: Now.AddHours(-1));

        // B's job waited 90 s (+1); A's backlog counts only from A's start 5 s ago.
        var sorted = QueueOrder.Sort([.. backlog, bJob], Now, Aging);

        Assert.Equal(bJob.JobId, sorted[0].JobId);
        Assert.All(backlog, j => Assert.Equal(Free, QueueOrder.EffectivePriority(j, Now, Aging)));
    }

    // ---- Fairness ----

    [Fact]
    public void One_users_500_jobs_do_not_block_another_user_of_the_same_plan()
    {
        var a = NewId();
        var b = NewId();
        var backlog = Backlog(a, Starter, 500, Now.AddSeconds(-40));
        var bJob = Job(b, Starter, Now.AddSeconds(-1));

        var positions = QueueOrder.Positions([.. backlog, bJob], Now, Aging);

        Assert.True(positions[bJob.JobId] <= 2, $"B's job is at position {positions[bJob.JobId]}");
        Assert.Equal(1, positions[backlog[0].JobId]);
        Assert.Equal(2, positions[bJob.JobId]);
    }

    [Fact]
    public void One_users_500_jobs_do_not_block_another_user_when_a_was_served_recently()
    {
        var a = NewId();
        var b = NewId();
        var backlog = Backlog(a, Pro, 500, Now.AddMinutes(-20), lastServed: Now.AddSeconds(-10));
        var bJob = Job(b, Pro, Now.AddSeconds(-2), lastServed: Now.AddDays(-1));

        var positions = QueueOrder.Positions([.. backlog, bJob], Now, Aging);

        Assert.Equal(1, positions[bJob.JobId]);
        Assert.Equal(bJob.JobId, QueueOrder.Next([.. backlog, bJob], Now, Aging)?.JobId);
    }

    [Fact]
    public void One_users_aged_backlog_does_not_push_another_user_of_the_same_plan_behind_it()
    {
        // A flooded the queue 2 minutes ago and has not been served since; B submitted 30 s ago.
        // A's first job has waited longest and may go first, but A's other 499 jobs cannot start
        // before it (and lose their waiting time once it does), so B's expected position is 2.
        var a = NewId();
        var b = NewId();
        var backlog = Backlog(a, Free, 500, Now.AddMinutes(-2));
        var bJob = Job(b, Free, Now.AddSeconds(-30));

        var positions = QueueOrder.Positions([.. backlog, bJob], Now, Aging);

        Assert.True(positions[bJob.JobId] <= 2, $"B's job is at position {positions[bJob.JobId]} of 501");
    }

    [Fact]
    public void Dispatch_starts_the_other_users_job_second_even_behind_an_aged_backlog()
    {
        // Same queue as above, dispatched at one instant by workers that all free up now
        // (unlimited concurrency, so nobody is skipped for a running limit).
        var a = NewId();
        var b = NewId();
        var queue = Backlog(a, Free, 500, Now.AddMinutes(-2)).Select(j => j with { UserConcurrencyLimit = null }).ToList();
        var bJob = Job(b, Free, Now.AddSeconds(-30), limit: null);
        queue.Add(bJob);

        var started = Dispatch(queue, Now, 3);

        Assert.Equal(bJob.JobId, started[1].JobId);
        Assert.Equal(a, started[0].UserId);
        Assert.Equal(a, started[2].UserId);
    }

    [Fact]
    public void Users_take_turns_round_by_round()
    {
        var a = NewId();
        var b = NewId();
        var c = NewId();
        var enqueued = Now.AddSeconds(-20);
        var aJobs = Backlog(a, Studio, 3, enqueued, lastServed: Now.AddMinutes(-5));
        var bJobs = Backlog(b, Studio, 3, enqueued, lastServed: Now.AddMinutes(-2));
        var cJob = Job(c, Studio, enqueued.AddSeconds(5));

        Assert.Equal(
            [cJob.JobId, aJobs[0].JobId, bJobs[0].JobId, aJobs[1].JobId, bJobs[1].JobId, aJobs[2].JobId, bJobs[2].JobId],
            SortedIds([.. bJobs, cJob, .. aJobs]));
    }

    [Fact]
    public void Least_recently_served_user_goes_first_among_equal_rounds()
    {
        var enqueued = Now.AddSeconds(-10);
        var servedLongAgo = Job(NewId(), Pro, enqueued.AddSeconds(3), lastServed: Now.AddHours(-3));
        var servedRecently = Job(NewId(), Pro, enqueued, lastServed: Now.AddMinutes(-1));
        var neverServed = Job(NewId(), Pro, enqueued.AddSeconds(5));

        Assert.Equal(
            [neverServed.JobId, servedLongAgo.JobId, servedRecently.JobId],
            SortedIds([servedRecently, neverServed, servedLongAgo]));
    }

    [Fact]
    public void Earlier_submission_breaks_ties_between_never_served_users()
    {
        var later = Job(NewId(), Pro, Now.AddSeconds(-5));
        var earlier = Job(NewId(), Pro, Now.AddSeconds(-15));

        Assert.Equal([earlier.JobId, later.JobId], SortedIds([later, earlier]));
    }

    [Fact]
    public void A_users_own_jobs_keep_submission_order()
    {
        var a = NewId();
        var b = NewId();
        var aJobs = Enumerable.Range(0, 6)
            .Select(i => Job(a, Starter, Now.AddSeconds(-400 + (i * 70)), lastServed: Now.AddSeconds(-600), round: i))
            .ToList();
        var bJobs = Backlog(b, Starter, 4, Now.AddSeconds(-200), lastServed: Now.AddSeconds(-450));

        var sorted = QueueOrder.Sort([.. bJobs, .. aJobs.AsEnumerable().Reverse()], Now, Aging);

        Assert.Equal(aJobs.Select(j => j.JobId), sorted.Where(j => j.UserId == a).Select(j => j.JobId));
        Assert.Equal(bJobs.Select(j => j.JobId), sorted.Where(j => j.UserId == b).Select(j => j.JobId));
    }

    [Fact]
    public void Sort_does_not_depend_on_input_order()
    {
        var random = new Random(42);
        var jobs = RandomQueue(random, 60);

        var expected = SortedIds(jobs);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(expected, SortedIds(jobs.OrderBy(_ => random.Next())));
        }
    }

    // ---- Next ----

    [Fact]
    public void Next_is_the_first_job_in_order()
    {
        var pro = Job(NewId(), Pro, Now.AddSeconds(-10));
        var studio = Job(NewId(), Studio, Now);

        Assert.Equal(studio.JobId, QueueOrder.Next([pro, studio], Now, Aging)?.JobId);
    }

    [Fact]
    public void Next_skips_users_at_their_running_limit()
    {
        var busy = NewId();
        var idle = NewId();
        var busyJobs = Backlog(busy, Studio, 3, Now.AddMinutes(-1))
            .Select(j => j with { UserRunning = 3, UserConcurrencyLimit = 3 })
            .ToList();
        var idleJob = Job(idle, Free, Now, running: 0, limit: 1);

        Assert.Equal(idleJob.JobId, QueueOrder.Next([.. busyJobs, idleJob], Now, Aging)?.JobId);

        // Positions still list the busy user's jobs in order; only Next skips them.
        Assert.Equal(4, QueueOrder.Positions([.. busyJobs, idleJob], Now, Aging)[idleJob.JobId]);
    }

    [Fact]
    public void Next_takes_a_user_below_the_limit()
    {
        var studioUser = NewId();
        var job = Job(studioUser, Studio, Now, running: 2, limit: 3);

        Assert.True(job.UserHasFreeSlot);
        Assert.Equal(job.JobId, QueueOrder.Next([job], Now, Aging)?.JobId);
        Assert.False((job with { UserRunning = 4 }).UserHasFreeSlot);
    }

    [Fact]
    public void Null_concurrency_limit_is_unlimited()
    {
        var enterprise = Job(NewId(), Enterprise, Now, running: 500, limit: null);
        var free = Job(NewId(), Free, Now.AddSeconds(-30));

        Assert.True(enterprise.UserHasFreeSlot);
        Assert.Equal(enterprise.JobId, QueueOrder.Next([free, enterprise], Now, Aging)?.JobId);
    }

    [Fact]
    public void Zero_concurrency_limit_never_starts_jobs()
    {
        var blocked = Job(NewId(), Pro, Now, running: 0, limit: 0);

        Assert.False(blocked.UserHasFreeSlot);
        Assert.Null(QueueOrder.Next([blocked], Now, Aging));
    }

    [Fact]
    public void Next_is_null_when_nothing_can_start()
    {
        Assert.Null(QueueOrder.Next([], Now, Aging));

        var user = NewId();
        var atLimit = Backlog(user, Pro, 3, Now.AddMinutes(-3)).Select(j => j with { UserRunning = 1 }).ToList();
        Assert.Null(QueueOrder.Next(atLimit, Now, Aging));
    }

    // ---- Positions ----

    [Fact]
    public void Positions_are_one_based_and_follow_sort()
    {
        var random = new Random(7);
        var jobs = RandomQueue(random, 40);

        var sorted = QueueOrder.Sort(jobs, Now, Aging);
        var positions = QueueOrder.Positions(jobs, Now, Aging);

        Assert.Equal(jobs.Count, positions.Count);
        Assert.Equal(Enumerable.Range(1, jobs.Count), positions.Values.Order());
        for (var i = 0; i < sorted.Count; i++)
        {
            Assert.Equal(i + 1, positions[sorted[i].JobId]);
        }
    }

    [Fact]
    public void Positions_of_an_empty_queue_are_empty()
    {
        Assert.Empty(QueueOrder.Positions([], Now, Aging));
        Assert.Empty(QueueOrder.Sort([], Now, Aging));
    }

    // ---- Properties ----

    [Fact]
    public void Sort_is_a_priority_ordered_permutation_for_random_queues()
    {
        var random = new Random(20260315);
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var jobs = RandomQueue(random, random.Next(0, 80));
            var aging = random.Next(4) == 0 ? new AgingPolicy(random.Next(5, 120), random.Next(6, 15)) : Aging;

            var sorted = QueueOrder.Sort(jobs, Now, aging);

            // A permutation: same jobs, each exactly once.
            Assert.Equal(jobs.Count, sorted.Count);
            Assert.Equal(jobs.Select(j => j.JobId).Order(), sorted.Select(j => j.JobId).Order());

            for (var i = 1; i < sorted.Count; i++)
            {
                var before = sorted[i - 1];
                var after = sorted[i];
                var pBefore = QueueOrder.EffectivePriority(before, Now, aging);
                var pAfter = QueueOrder.EffectivePriority(after, Now, aging);

                // Never a lower effective priority ahead of a higher one.
                Assert.True(pBefore >= pAfter, $"iteration {iteration}: priority {pBefore} before {pAfter}");

                // Within a level, rounds never go backwards.
                if (pBefore == pAfter)
                {
                    Assert.True(before.UserRound <= after.UserRound, $"iteration {iteration}: round {before.UserRound} before {after.UserRound}");
                }
            }

            // Every effective priority lies between the plan priority and the cap.
            Assert.All(jobs, j =>
            {
                var p = QueueOrder.EffectivePriority(j, Now, aging);
                Assert.InRange(p, j.PlanPriority, Math.Max(j.PlanPriority, aging.MaxPriority));
            });

            // Each user's jobs stay in submission order.
            foreach (var user in jobs.GroupBy(j => j.UserId))
            {
                Assert.Equal(
                    user.OrderBy(j => j.UserRound).Select(j => j.JobId),
                    sorted.Where(j => j.UserId == user.Key).Select(j => j.JobId));
            }

            // Next is the first job in order whose owner has a free slot.
            var next = QueueOrder.Next(jobs, Now, aging);
            Assert.Equal(sorted.FirstOrDefault(j => j.UserHasFreeSlot)?.JobId, next?.JobId);
        }
    }

    [Fact]
    public void A_free_job_is_not_starved_by_an_endless_stream_of_pro_jobs()
    {
        // One worker finishing a job every 10 s; two new Pro users submit every 10 s, so the
        // Pro backlog only grows. The Free job must still start within ten minutes.
        var freeJob = Job(NewId(), Free, Now);
        var queue = new List<QueueCandidate> { freeJob };
        for (var tick = 0; tick < 120; tick++)
        {
            var t = Now.AddSeconds(tick * 10);
            queue.Add(Job(NewId(), Pro, t));
            queue.Add(Job(NewId(), Pro, t.AddSeconds(1)));

            var next = QueueOrder.Next(queue, t.AddSeconds(2), Aging);
            Assert.NotNull(next);
            if (next.JobId == freeJob.JobId)
            {
                // It cannot pass a Pro job before it has aged to Pro's level (4 steps), and must not wait forever.
                Assert.InRange(tick * 10, 240, 600);
                return;
            }

            queue.Remove(next);
        }

        Assert.Fail("The Free job never started.");
    }

    /// <summary>
    /// Starts <paramref name="count"/> jobs at one instant with <see cref="QueueOrder.Next"/>, updating
    /// each started user's last start and the remaining jobs' rounds as the scheduler would.
    /// </summary>
    private static List<QueueCandidate> Dispatch(List<QueueCandidate> queue, DateTime now, int count)
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
    private static List<QueueCandidate> RandomQueue(Random random, int size)
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
