using Pingvas.Core.Scheduling;

using static Pingvas.Core.Tests.QueueTestKit;

namespace Pingvas.Core.Tests;

public class QueueOrderTests
{
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
}

public class QueuePositionAmongTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_newcomer_lands_where_a_full_sort_puts_it(int seed)
    {
        var random = new Random(seed);
        for (var trial = 0; trial < 200; trial++)
        {
            var queue = QueueTestKit.RandomQueue(random, random.Next(1, 80));
            var newcomer = queue[random.Next(queue.Count)];
            var others = QueueOrder.Sort(queue.Where(j => j != newcomer), QueueTestKit.Now, QueueTestKit.Aging);

            var expected = QueueOrder.Positions(queue, QueueTestKit.Now, QueueTestKit.Aging)[newcomer.JobId];
            Assert.Equal(expected, QueueOrder.PositionAmong(others, newcomer, QueueTestKit.Now, QueueTestKit.Aging));
        }
    }

    [Fact]
    public void An_empty_queue_puts_the_newcomer_first()
    {
        var job = QueueTestKit.Job(QueueTestKit.NewId(), QueueTestKit.Free);
        Assert.Equal(1, QueueOrder.PositionAmong([], job, QueueTestKit.Now, QueueTestKit.Aging));
    }
}
