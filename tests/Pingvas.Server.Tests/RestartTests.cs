using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Generation;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>Jobs survive a restart of serve: a job that was running runs again and is charged once.</summary>
public sealed class RestartTests : IAsyncLifetime
{
    private PingvasServer server = null!;

    // No shutdown grace: a stopping worker hands its job back at once.
    public async Task InitializeAsync() => server = await PingvasServer.StartAsync(new Dictionary<string, string>
    {
        ["Engines:Procedural:StepDelayMs"] = "50",
        ["Worker:ShutdownGraceSeconds"] = "0",
    });

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

        // What a kill -9 leaves behind: the row still says running, owned by a worker that is gone.
        await using (var crashed = await PingvasServerState.OpenAsync(server))
        {
            await crashed.Db.Jobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Running)
                .SetProperty(j => j.WorkerId, "dead-host:1:1")
                .SetProperty(j => j.LeaseExpiresAt, DateTime.UtcNow.AddMinutes(10)));
        }

        await server.RestartAsync();
        var again = new TestUser(server, user.Id, user.Email, user.Password, user.AccessToken, user.RefreshToken);
        var done = await again.WaitForAsync(job.Id);
        Assert.Equal("succeeded", done.Status);
        await AssertChargedOnceAsync(again, [done]);
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
