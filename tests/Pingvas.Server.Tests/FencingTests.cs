using System.Net;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

using Pingvas.Server.Jobs;
using Pingvas.Server.Queue;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// A worker that lost its claim can never write over the next attempt: its progress writes and
/// heartbeat find themselves fenced off, its engine stops, and nothing of that run is kept or
/// charged. A cancel that meets an orphaned job ends it for good. Lease recovery is off here, so
/// only the fencing acts.
/// </summary>
public sealed class FencingTests(FencingTests.Fixture fixture) : IClassFixture<FencingTests.Fixture>
{
    private const string OtherWorker = "other-host:1:00000000:1";

    private readonly PingvasServer server = fixture.Server;

    public sealed class Fixture() : ServerFixture(new TestSettings { StepDelayMs = 60, LeaseSeconds = 3 })
    {
        protected override void ConfigureServices(IServiceCollection services)
        {
            ScriptedEngine.Install(services);
            services.Remove(services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(QueueRecovery)));
        }
    }

    [Fact]
    public async Task A_worker_whose_job_was_claimed_again_stops_and_writes_nothing()
    {
        var owner = await server.RegisterAsync();
        await using var client = await NodeSignalRClient.ConnectAsync(server.BaseAddress, owner.AccessToken, new NodeSignalROptions { Seconds = 60 });
        var job = await owner.SubmitAsync(TestUser.Request(steps: 150));
        await client.WaitForEventAsync(e => e.Id == job.Id && e.Progress.Step >= 2);

        // What recovery and another worker would do meanwhile: the next attempt, under another worker.
        var stolen = await server.QueryAsync(db => db.Jobs.Where(j => j.Id == job.Id && j.Status == JobStatus.Running).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Attempt, j => j.Attempt + 1)
            .SetProperty(j => j.WorkerId, OtherWorker)
            .SetProperty(j => j.ProgressStep, 0)
            .SetProperty(j => j.LeaseExpiresAt, DateTime.UtcNow.AddMinutes(5))));
        Assert.Equal(1, stolen);

        // The worker notices at its next progress write or heartbeat and takes the next job.
        var next = await (await server.RegisterAsync()).GenerateAsync(TestUser.Request(steps: 2));
        Assert.Equal("succeeded", next.Status);

        var row = await server.QueryAsync(db => db.Jobs.AsNoTracking().SingleAsync(j => j.Id == job.Id));
        Assert.Equal((JobStatus.Running, OtherWorker, 2, 0), (row.Status, row.WorkerId, row.Attempt, row.ProgressStep));
        Assert.False(await server.QueryAsync(db => db.Images.AnyAsync(i => i.JobId == job.Id)));
        var ledger = await owner.LedgerAsync();
        Assert.Equal(["reserve"], ledger.Where(e => e.JobId == job.Id).Select(e => e.Kind));
        Assert.Empty(Directory.Exists(UserObjects(owner)) ? Directory.GetFiles(UserObjects(owner)) : []);

        // Its engine stopped early, and no final event of that run reached the owner.
        Assert.True(client.Generations.Where(e => e.Id == job.Id).Max(e => e.Progress.Step) < 150);
        Assert.DoesNotContain(client.Generations, e => e.Id == job.Id && e.Status != "running" && e.Status != "queued");
    }

    [Fact]
    public async Task A_cancel_of_a_job_whose_worker_is_gone_ends_it_at_once_and_for_good()
    {
        var owner = await server.RegisterAsync();
        var hanging = await owner.SubmitAsync(TestUser.Request(prompt: "hang: holds the owner's only slot"));
        await owner.WaitForAsync(hanging.Id, "running");
        var orphan = await owner.SubmitAsync(TestUser.Request(steps: 2));

        // Its worker died: it is still marked running, and its lease has run out.
        await server.QueryAsync(db => db.Jobs.Where(j => j.Id == orphan.Id && j.Status == JobStatus.Queued).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, JobStatus.Running)
            .SetProperty(j => j.WorkerId, OtherWorker)
            .SetProperty(j => j.Attempt, 1)
            .SetProperty(j => j.StartedAt, DateTime.UtcNow)
            .SetProperty(j => j.LeaseExpiresAt, DateTime.UtcNow.AddSeconds(-1))));
        await server.RecomputeQueueHeadAsync(orphan.Id);

        var response = await owner.Client.PostAsync($"/api/v1/generations/{orphan.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cancelled = await owner.GetAsync(orphan.Id);
        Assert.Equal(("cancelled", 0), (cancelled.Status, cancelled.CreditsCharged));

        // The owner's slot frees up; the orphan never runs again.
        await owner.Client.PostAsync($"/api/v1/generations/{hanging.Id}/cancel", null);
        await owner.WaitForAsync(hanging.Id);
        var after = await owner.GenerateAsync(TestUser.Request(steps: 2, seed: 9));
        Assert.Equal("succeeded", after.Status);
        var row = await server.QueryAsync(db => db.Jobs.AsNoTracking().SingleAsync(j => j.Id == orphan.Id));
        Assert.Equal((JobStatus.Cancelled, 1), (row.Status, row.Attempt));

        var ledger = await owner.LedgerAsync();
        Assert.Equal(orphan.ReservedCredits, Assert.Single(ledger, e => e.JobId == orphan.Id && e.Kind == "release").Amount);
        Assert.DoesNotContain(ledger, e => e.JobId == orphan.Id && e.Kind == "charge");
        var me = await owner.MeAsync();
        Assert.Equal((0, me.Credits.Balance), (me.Credits.Reserved, ledger.Sum(e => e.Amount)));
    }

    private string UserObjects(TestUser user) => Path.Combine(server.DataPath, "objects", "users", user.Id.ToString("N"), "images");
}
