using Pingvas.Server.Jobs;
using Pingvas.Server.Queue;

namespace Pingvas.Server.Tests;

/// <summary>
/// The job state machine on its own: every trigger from every state is either the one move the
/// table allows, or refused with the job left exactly as it was.
/// </summary>
public sealed class JobTransitionTests
{
    private static readonly DateTime Now = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);

    public static TheoryData<JobStatus, JobTrigger> EveryStateAndTrigger()
    {
        var data = new TheoryData<JobStatus, JobTrigger>();
        foreach (var status in Enum.GetValues<JobStatus>())
        {
            foreach (var trigger in Enum.GetValues<JobTrigger>())
            {
                data.Add(status, trigger);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryStateAndTrigger))]
    public void A_trigger_moves_a_job_only_where_the_table_allows(JobStatus from, JobTrigger trigger)
    {
        var job = JobIn(from);
        var before = Snapshot(job);
        var allowed = JobTransitions.Target(from, trigger);

        var moved = Fire(job, trigger);

        if (allowed is { } to)
        {
            Assert.True(moved, $"{trigger} from {from} should be allowed");
            Assert.Equal(to, job.Status);
        }
        else
        {
            Assert.False(moved, $"{trigger} from {from} should be refused");
            Assert.Equal(before, Snapshot(job));
        }
    }

    [Fact]
    public void Final_states_accept_nothing()
    {
        foreach (var status in new[] { JobStatus.Succeeded, JobStatus.Failed, JobStatus.Cancelled })
        {
            Assert.True(JobTransitions.IsTerminal(status));
            Assert.All(Enum.GetValues<JobTrigger>(), t => Assert.Null(JobTransitions.Target(status, t)));
        }
    }

    [Fact]
    public void Every_trigger_has_exactly_one_row()
    {
        Assert.Equal(Enum.GetValues<JobTrigger>().Order(), JobTransitions.Table.Keys.Order());
    }

    [Fact]
    public void A_claim_raises_the_fencing_token_and_leases_the_job()
    {
        var job = JobIn(JobStatus.Queued);
        Assert.True(job.Claim("worker-a", Now, Now.AddSeconds(60)));
        Assert.Equal(new JobLease(job.Id, job.UserId, 1, "worker-a"), job.Lease);

        Assert.True(job.RequeueLost(Now.AddSeconds(5)));
        Assert.Null(job.Lease);
        Assert.True(job.Claim("worker-b", Now.AddSeconds(6), Now.AddSeconds(66)));
        Assert.Equal(2, job.Attempt);
        Assert.Equal("worker-b", job.Lease!.WorkerId);
    }

    [Fact]
    public void Lost_leases_and_retries_count_as_failed_attempts_a_hand_back_does_not()
    {
        var job = JobIn(JobStatus.Queued);
        job.Claim("w", Now, Now.AddSeconds(60));
        job.HandBack();
        Assert.Equal(0, job.FailedAttempts);
        Assert.Null(job.AvailableAt);

        job.Claim("w", Now, Now.AddSeconds(60));
        job.RequeueLost(Now.AddSeconds(5));
        job.Claim("w", Now, Now.AddSeconds(60));
        job.Retry(Now.AddSeconds(10));
        Assert.Equal(2, job.FailedAttempts);
        Assert.Equal(Now.AddSeconds(10), job.AvailableAt);
        Assert.Equal(3, job.Attempt);
    }

    [Fact]
    public void A_cancel_is_requested_once()
    {
        var job = JobIn(JobStatus.Running);
        Assert.True(job.RequestCancel());
        Assert.False(job.RequestCancel());
        Assert.True(job.CancelRequested);
        Assert.Equal(JobStatus.Running, job.Status);
    }

    [Fact]
    public void Finishing_records_the_outcome_and_drops_the_lease()
    {
        var succeeded = JobIn(JobStatus.Running);
        Assert.True(succeeded.Succeed(Now, "procedural", 1234, 56, 2));
        Assert.Equal((2, 1234L, 56L, 8, Now), (succeeded.CreditsCharged!.Value, succeeded.ComputeMs!.Value, succeeded.ModelLoadMs!.Value, succeeded.ProgressStep, succeeded.FinishedAt!.Value));
        Assert.Null(succeeded.LeaseExpiresAt);

        var timedOut = JobIn(JobStatus.Running);
        Assert.True(timedOut.TimeOut(Now, 600));
        Assert.Equal(("timed_out", 0), (timedOut.ErrorCode, timedOut.CreditsCharged!.Value));

        var lost = JobIn(JobStatus.Running);
        Assert.True(lost.DeadLetter(Now, "worker_lost", "gone"));
        Assert.Equal((JobStatus.Failed, "worker_lost"), (lost.Status, lost.ErrorCode));
    }

    [Fact]
    public void Worker_ids_are_unique_per_process_start_and_tell_a_dead_predecessor()
    {
        var id = WorkerNames.For(3);
        var parts = id.Split(':');
        Assert.Equal(4, parts.Length);
        Assert.Equal([Environment.MachineName, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), WorkerNames.Instance, "3"], parts);
        Assert.Matches("^[0-9a-f]{8}$", WorkerNames.Instance);

        // Ours, now: alive. Our pid in an earlier instance (a container restarted as PID 1): gone.
        Assert.False(WorkerNames.RanHereAndIsGone(id));
        Assert.True(WorkerNames.RanHereAndIsGone($"{Environment.MachineName}:{Environment.ProcessId}:{(WorkerNames.Instance == "00000000" ? "00000001" : "00000000")}:1"));

        // Another machine's worker, or an id of another shape: only its lease can orphan it.
        Assert.False(WorkerNames.RanHereAndIsGone("other-host:1:00000000:1"));
        Assert.False(WorkerNames.RanHereAndIsGone($"{Environment.MachineName}:1"));
        Assert.False(WorkerNames.RanHereAndIsGone(null));
    }

    private static bool Fire(Job job, JobTrigger trigger) => trigger switch
    {
        JobTrigger.Claim => job.Claim("w", Now, Now.AddSeconds(60)),
        JobTrigger.Progress => job.RecordProgress(3),
        JobTrigger.RenewLease => job.Can(JobTrigger.RenewLease),
        JobTrigger.RequestCancel => job.RequestCancel(),
        JobTrigger.Succeed => job.Succeed(Now, "procedural", 1000, 0, 1),
        JobTrigger.Fail => job.Fail(Now, "engine_error", "broken"),
        JobTrigger.TimeOut => job.TimeOut(Now, 600),
        JobTrigger.CancelQueued => job.CancelQueued(Now),
        JobTrigger.CancelRunning => job.CancelRunning(Now, 500, 1),
        JobTrigger.CancelOrphaned => job.CancelOrphaned(Now),
        JobTrigger.RequeueLost => job.RequeueLost(Now.AddSeconds(5)),
        JobTrigger.HandBack => job.HandBack(),
        JobTrigger.Retry => job.Retry(Now.AddSeconds(5)),
        JobTrigger.DeadLetter => job.DeadLetter(Now, "worker_lost", "gone"),
        _ => throw new ArgumentOutOfRangeException(nameof(trigger)),
    };

    private static Job JobIn(JobStatus status)
    {
        var job = new Job
        {
            Id = Guid.CreateVersion7(),
            UserId = Guid.CreateVersion7(),
            Status = status,
            Prompt = "a lighthouse",
            ModelId = "sd-1.5",
            Scheduler = "euler",
            Steps = 8,
            BatchSize = 1,
            ProgressTotal = 8,
        };
        if (status == JobStatus.Running)
        {
            (job.Attempt, job.WorkerId, job.StartedAt, job.LeaseExpiresAt) = (1, "w", Now, Now.AddSeconds(60));
        }

        return job;
    }

    private static string Snapshot(Job job) => System.Text.Json.JsonSerializer.Serialize(job);
}
