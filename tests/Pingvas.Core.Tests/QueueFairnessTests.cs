using Pingvas.Core.Scheduling;

using static Pingvas.Core.Tests.QueueTestKit;

namespace Pingvas.Core.Tests;

public class QueueFairnessTests
{
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
}
