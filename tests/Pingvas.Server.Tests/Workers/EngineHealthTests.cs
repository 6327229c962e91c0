using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Queue;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Workers;

namespace Pingvas.Server.Tests.Workers;

/// <summary>
/// An engine whose refresh fails is unhealthy: its workers claim nothing until a refresh succeeds.
/// A remote worker keeps the model available, so jobs are accepted and wait for a healthy worker.
/// </summary>
public sealed class EngineHealthTests
{
    private static readonly TestSettings Settings = new TestSettings { RetryBackoffSeconds = 0.1 }.With("Workers:RefreshSeconds", "1");

    [Fact]
    public async Task A_worker_whose_engine_refresh_fails_claims_nothing_until_a_refresh_succeeds()
    {
        await using var server = await PingvasServer.StartAsync(Settings, configureServices: services =>
        {
            FlakyEngine.Install(services);
            RemoteWorker.Add(services);
        });
        var engine = server.Services.GetRequiredService<FlakyEngine>();
        var worker = WorkerNames.For(1);
        var user = await server.RegisterAsync();

        engine.Down = true;
        await WorkerRows.WaitForAsync(server, worker, r => r.State == WorkerStates.Unhealthy, "a failed refresh marks the worker unhealthy");
        var job = await user.SubmitAsync(TestUser.Request(steps: 2));
        // Proving that something does not happen: five of the worker's 200 ms polls, plus the
        // submit's wake-up, in which a healthy worker would have claimed the job.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal("queued", (await user.GetAsync(job.Id)).Status);

        engine.Down = false;
        Assert.Equal("succeeded", (await user.WaitForAsync(job.Id)).Status);
        var row = await WorkerRows.WaitForAsync(server, worker, r => r.State == WorkerStates.Idle && r.JobsDone == 1, "the recovered worker ran the job");
        Assert.Equal("sd-1.5", row.LoadedModel);
    }

    [Fact]
    public async Task A_node_that_dies_mid_job_marks_the_engine_unhealthy_and_the_job_runs_again_once_it_is_back()
    {
        await using var server = await PingvasServer.StartAsync(Settings, configureServices: services =>
        {
            FlakyEngine.Install(services);
            RemoteWorker.Add(services);
        });
        var engine = server.Services.GetRequiredService<FlakyEngine>();
        var worker = WorkerNames.For(1);
        var user = await server.RegisterAsync();

        // The run fails with node_unavailable and the node stays down: refreshes fail too.
        var job = await user.SubmitAsync(TestUser.Request(prompt: "crash: a lighthouse", steps: 2));
        await WorkerRows.WaitForAsync(server, worker, r => r.State == WorkerStates.Unhealthy && r.JobsDone == 1, "node_unavailable marks the worker unhealthy");
        Assert.Equal("queued", (await user.GetAsync(job.Id)).Status);

        // Back up: the next refresh succeeds and the job's second attempt runs on the same worker.
        engine.Down = false;
        Assert.Equal("succeeded", (await user.WaitForAsync(job.Id)).Status);
        var row = await WorkerRows.WaitForAsync(server, worker, r => r.State == WorkerStates.Idle && r.JobsDone == 2, "the second attempt is counted");
        Assert.Null(row.CurrentJobId);

        // The node's outage was not the job's failure: handed back, it spent no attempt.
        var attempts = await server.QueryAsync(db => db.Jobs.Where(j => j.Id == job.Id).Select(j => new { j.Attempt, j.FailedAttempts }).SingleAsync());
        Assert.Equal((2, 0), (attempts.Attempt, attempts.FailedAttempts));
    }
}
