using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Generation;
using Pingvas.Server.Jobs;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>Shutdown grace, lease expiry with backoff, and the dead letter, with a short lease so recovery runs every second.</summary>
public sealed class WorkerFaultTests(WorkerFaultTests.Fixture fixture) : IClassFixture<WorkerFaultTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;
    private readonly TestSettings settings = fixture.Settings;

    public sealed class Fixture() : ServerFixture(new TestSettings
    {
        StepDelayMs = 50,
        ShutdownGraceSeconds = 20,
        LeaseSeconds = 2,
        RetryBackoffSeconds = 2,
        MaxAttempts = 3,
    });

    [Fact]
    public async Task A_stopping_worker_finishes_its_job_within_the_grace_period()
    {
        // Its own server, the class's kind: this test stops and restarts it.
        await using var server = await PingvasServer.StartAsync(settings);
        var user = await server.RegisterAsync();
        var job = await user.SubmitAsync(TestUser.Request(steps: 40));
        await user.WaitForAsync(job.Id, "running");

        await server.StopAsync();
        var row = await ReadJobAsync(server, job.Id);
        Assert.Equal(JobStatus.Succeeded, row.Status);
        Assert.Equal(1, row.Attempt);

        await server.RestartAsync();
        var again = new TestUser(server, user.Id, user.Email, user.Password, user.AccessToken, user.RefreshToken);
        var ledger = await again.LedgerAsync();
        Assert.Single(ledger, e => e.Kind == "charge" && e.JobId == job.Id);
        Assert.Equal((await again.MeAsync()).Credits.Balance, ledger.Sum(e => e.Amount));
    }

    [Fact]
    public async Task A_job_whose_lease_expired_is_retried_after_a_backoff_and_charged_once()
    {
        var (user, job) = await QueuedBehindABlockerAsync();

        // What a worker that died mid-job leaves: running, its lease run out.
        var lost = DateTime.UtcNow;
        await server.QueryAsync(db => db.Jobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, JobStatus.Running)
            .SetProperty(j => j.WorkerId, "gone:1:0badcafe:1")
            .SetProperty(j => j.Attempt, 1)
            .SetProperty(j => j.StartedAt, lost)
            .SetProperty(j => j.LeaseExpiresAt, lost.AddSeconds(-1))));
        await server.RecomputeQueueHeadAsync(job.Id);

        var done = await user.WaitForAsync(job.Id);
        Assert.Equal("succeeded", done.Status);
        var row = await ReadJobAsync(server, job.Id);
        Assert.Equal(2, row.Attempt);

        // Re-queued within about a second (the recovery sweep), then 2 s of backoff before the retry.
        Assert.True(done.StartedAt >= lost.AddSeconds(2), $"retried at {done.StartedAt:O}, lost at {lost:O}");
        var ledger = await user.LedgerAsync();
        Assert.Single(ledger, e => e.Kind == "reserve" && e.JobId == job.Id);
        Assert.Single(ledger, e => e.Kind == "charge" && e.JobId == job.Id);
        Assert.Equal((await user.MeAsync()).Credits.Balance, ledger.Sum(e => e.Amount));
    }

    [Fact]
    public async Task A_job_that_loses_its_worker_too_often_is_dead_lettered_and_refunded()
    {
        var (user, job) = await QueuedBehindABlockerAsync();
        await server.QueryAsync(db => db.Jobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, JobStatus.Running)
            .SetProperty(j => j.WorkerId, "gone:1:0badcafe:1")
            .SetProperty(j => j.Attempt, 3)
            .SetProperty(j => j.FailedAttempts, 2)
            .SetProperty(j => j.LeaseExpiresAt, DateTime.UtcNow.AddSeconds(-1))));
        await server.RecomputeQueueHeadAsync(job.Id);

        var done = await user.WaitForAsync(job.Id);
        Assert.Equal("failed", done.Status);
        Assert.Equal("worker_lost", done.Error!.Code);
        var me = await user.MeAsync();
        Assert.Equal(100, me.Credits.Balance + me.Credits.Reserved);
        var ledger = await user.LedgerAsync();
        Assert.Equal(job.ReservedCredits, Assert.Single(ledger, e => e.Kind == "release" && e.JobId == job.Id).Amount);
        Assert.DoesNotContain(ledger, e => e.Kind == "charge" && e.JobId == job.Id);
        await server.WaitUntilIdleAsync();
    }

    /// <summary>A job of this user that is still queued because another user's long job holds the only worker.</summary>
    private async Task<(TestUser User, GenerationBody Job)> QueuedBehindABlockerAsync()
    {
        var blocker = await server.RegisterAsync();
        var running = await blocker.SubmitAsync(TestUser.Request(steps: 30));
        await blocker.WaitForAsync(running.Id, "running");
        var user = await server.RegisterAsync();
        var job = await user.SubmitAsync(TestUser.Request(steps: 2));
        Assert.Equal("queued", (await user.GetAsync(job.Id)).Status);
        return (user, job);
    }

    /// <summary>Reads the job straight from the database: the server may be stopped.</summary>
    private static async Task<Job> ReadJobAsync(PingvasServer server, Guid id)
    {
        await using var db = server.Database.Open(server.DataPath);
        return await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == id);
    }
}
