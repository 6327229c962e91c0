using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Generation;
using Pingvas.Server.Jobs;
using Pingvas.Server.Queue;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// Jobs survive a restart of serve: a job that was running runs again and is charged once. Every
/// test stops and restarts its server, so each has its own (no class fixture).
/// </summary>
public sealed class RestartTests : IAsyncLifetime
{
    private PingvasServer server = null!;

    // No shutdown grace: a stopping worker hands its job back at once.
    public async Task InitializeAsync() => server = await PingvasServer.StartAsync(new TestSettings { StepDelayMs = 50, ShutdownGraceSeconds = 0 });

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task A_running_job_is_handed_back_on_shutdown_and_completes_after_restart()
    {
        var user = await server.RegisterAsync();
        var job = await user.SubmitAsync(TestUser.Request(steps: 40));
        var queued = await user.SubmitAsync(TestUser.Request(steps: 3, seed: 8));
        await WaitForStepAsync(user, job.Id, 5);

        await server.RestartAsync();
        var again = new TestUser(server, user.Id, user.Email, user.Password, user.AccessToken, user.RefreshToken);

        var done = await again.WaitForAsync(job.Id);
        var second = await again.WaitForAsync(queued.Id);
        Assert.Equal("succeeded", done.Status);
        Assert.Equal("succeeded", second.Status);
        Assert.Single(done.Images);
        await AssertChargedOnceAsync(again, [done, second]);
        Assert.Equal(2, await server.QueryAsync(db => db.Jobs.Where(j => j.Id == job.Id).Select(j => j.Attempt).SingleAsync()));
    }

    [Fact]
    public async Task A_job_left_running_by_a_crashed_process_is_requeued_at_startup()
    {
        var user = await server.RegisterAsync();
        var job = await user.SubmitAsync(TestUser.Request(steps: 40));
        await WaitForStepAsync(user, job.Id, 3);
        await server.StopAsync();

        // What a kill -9 leaves behind: the row still says running, owned by a worker of this
        // machine whose process is gone, with a lease far from expiry.
        await MarkRunningAsync(job.Id, $"{Environment.MachineName}:{await DeadProcessIdAsync()}:00000000:1");

        await server.RestartAsync();
        var again = new TestUser(server, user.Id, user.Email, user.Password, user.AccessToken, user.RefreshToken);
        var done = await again.WaitForAsync(job.Id);
        Assert.Equal("succeeded", done.Status);
        await AssertChargedOnceAsync(again, [done]);
    }

    [Fact]
    public async Task A_restart_leaves_alone_a_job_another_live_process_is_running()
    {
        var user = await server.RegisterAsync();
        var job = await user.SubmitAsync(TestUser.Request(steps: 40));
        await WaitForStepAsync(user, job.Id, 3);
        await server.StopAsync();

        // Running elsewhere with a valid lease: on another machine (PostgreSQL), or on SQLite in the one process there is.
        var elsewhere = TestDatabase.UsePostgres ? "other-host:4242:00000000:1" : $"{Environment.MachineName}:{Environment.ProcessId}:{WorkerNames.Instance}:9";
        await MarkRunningAsync(job.Id, elsewhere);
        await server.RestartAsync();
        if (TestDatabase.UsePostgres)
        {
            // Proving that something does not happen: startup recovery has run when RestartAsync
            // returns, but give the workers (woken at start) and anything else asynchronous a
            // second in which they could wrongly take the job. On SQLite the job is re-queued
            // before RestartAsync returns, and the wait below polls.
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        var row = await server.QueryAsync(db => db.Jobs.AsNoTracking().SingleAsync(j => j.Id == job.Id));
        if (TestDatabase.UsePostgres)
        {
            // Shared database: that worker may be rendering right now; only its lease can orphan it.
            Assert.Equal((JobStatus.Running, elsewhere, 1), (row.Status, row.WorkerId, row.Attempt));
        }
        else
        {
            // The embedded default has one process, this one: whatever was running is orphaned.
            Assert.NotEqual(elsewhere, row.WorkerId);
            Assert.Equal("succeeded", (await new TestUser(server, user.Id, user.Email, user.Password, user.AccessToken, user.RefreshToken).WaitForAsync(job.Id)).Status);
        }
    }

    private async Task MarkRunningAsync(Guid jobId, string workerId)
    {
        await using var crashed = await PingvasServerState.OpenAsync(server);
        await crashed.Db.Jobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, JobStatus.Running)
            .SetProperty(j => j.WorkerId, workerId)
            .SetProperty(j => j.LeaseExpiresAt, DateTime.UtcNow.AddMinutes(10)));

        // A claim took its pair's queue head with it (the pair has no other queued job here).
        await crashed.Db.QueueHeads.Where(h => h.JobId == jobId).ExecuteDeleteAsync();
    }

    /// <summary>The id of a process that has exited: what a killed worker's id looks like afterwards.</summary>
    private static async Task<int> DeadProcessIdAsync()
    {
        using var process = System.Diagnostics.Process.Start("true")!;
        await process.WaitForExitAsync();
        return process.Id;
    }

    private static async Task WaitForStepAsync(TestUser user, Guid id, int step)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await user.GetAsync(id)).Progress.Step < step)
        {
            Assert.True(DateTime.UtcNow < deadline, "The job never reached the expected step.");
            await Task.Delay(25);
        }
    }

    private static async Task AssertChargedOnceAsync(TestUser user, IReadOnlyList<GenerationBody> jobs)
    {
        var ledger = await user.LedgerAsync();
        foreach (var job in jobs)
        {
            Assert.Single(ledger, e => e.Kind == "reserve" && e.JobId == job.Id);
            Assert.Equal(-job.CreditsCharged, Assert.Single(ledger, e => e.Kind == "charge" && e.JobId == job.Id).Amount);
        }

        var me = await user.MeAsync();
        Assert.Equal(0, me.Credits.Reserved);
        Assert.Equal(100 - jobs.Sum(j => j.CreditsCharged), me.Credits.Balance);
        Assert.Equal(me.Credits.Balance, ledger.Sum(e => e.Amount));
    }
}
