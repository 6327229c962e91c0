using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;

using Xunit.Abstractions;

namespace Pingvas.Server.Tests.Generation;

public sealed record CancelQueuedBody(int Cancelled, List<Guid> Ids, int RefundedCredits);

/// <summary>
/// <c>POST /generations/cancel-queued</c>: every queued job of the caller is cancelled with a full
/// refund and its own <c>cancelled</c> event, exactly once even when called twice at once; the
/// caller's running job and other users' jobs are untouched, and the queue heads stay right (the
/// others' jobs still run, and the caller's next submit runs).
/// </summary>
public sealed class CancelQueuedTests(CancelQueuedTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<CancelQueuedTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;

    // 100 ms per step: a 150-step job runs for 15 s, long enough to keep the others waiting.
    public sealed class Fixture() : ServerFixture(new TestSettings { StepDelayMs = 100 });

    [Fact]
    public async Task Only_the_callers_queued_jobs_are_cancelled_and_refunded_each_with_its_event()
    {
        var alice = await server.RegisterAsync();
        var bob = await server.RegisterAsync();

        // Starter (one job at a time, and sdxl): queued jobs for two models, so two queue heads go.
        await server.SetPlanAsync(alice.Id, "starter");
        await using var watcher = await NodeSignalRClient.ConnectAsync(server.BaseAddress, alice.AccessToken, new NodeSignalROptions { Seconds = 60 });
        var running = await alice.SubmitAsync(TestUser.Request(width: 512, height: 512, steps: 150));
        await alice.WaitForAsync(running.Id, "running");
        var queued = new[]
        {
            await alice.SubmitAsync(TestUser.Request(steps: 2, seed: 1)),
            await alice.SubmitAsync(TestUser.Request(model: "sdxl-1.0", steps: 2, seed: 2)),
            await alice.SubmitAsync(TestUser.Request(steps: 2, seed: 3)),
        };
        var bobs = new[] { await bob.SubmitAsync(TestUser.Request(steps: 2, seed: 4)), await bob.SubmitAsync(TestUser.Request(steps: 2, seed: 5)) };
        var bobsBefore = await bob.MeAsync();
        var before = await alice.MeAsync();

        var response = await alice.Client.PostAsync("/api/v1/generations/cancel-queued", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<CancelQueuedBody>(Json.Options))!;
        Assert.Equal(3, body.Cancelled);
        Assert.Equal(queued.Select(q => q.Id).Order(), body.Ids.Order());
        Assert.Equal(queued.Sum(q => q.ReservedCredits), body.RefundedCredits);

        foreach (var job in queued)
        {
            var now = await alice.GetAsync(job.Id);
            Assert.Equal(("cancelled", 0), (now.Status, now.CreditsCharged));
            await watcher.WaitForEventAsync(e => e.Id == job.Id && e.Status == "cancelled");
        }

        // The running job goes on; the refund is in the ledger once per job and in the balance.
        Assert.Equal("running", (await alice.GetAsync(running.Id)).Status);
        var ledger = await alice.LedgerAsync();
        foreach (var job in queued)
        {
            Assert.Equal(job.ReservedCredits, Assert.Single(ledger, e => e.JobId == job.Id && e.Kind == "release").Amount);
        }

        var after = await alice.MeAsync();
        Assert.Equal(before.Credits.Balance + body.RefundedCredits, after.Credits.Balance);
        Assert.Equal(after.Credits.Balance, ledger.Sum(e => e.Amount));
        Assert.Equal(running.ReservedCredits, after.Credits.Reserved);

        // Alice waits for nothing any more: no queue head of hers is left.
        Assert.Equal(0, await server.QueryAsync(db => db.QueueHeads.CountAsync(h => h.UserId == alice.Id)));

        // Bob's jobs and credits are untouched, and they still run: his queue head is intact.
        Assert.Equal(bobsBefore.Credits.Balance, (await bob.MeAsync()).Credits.Balance);
        Assert.All(bobs, b => Assert.Empty(ledgerOf(b.Id)));
        foreach (var job in bobs)
        {
            Assert.Equal("succeeded", (await bob.WaitForAsync(job.Id)).Status);
        }

        // A submit after it queues and runs as usual.
        await alice.Client.PostAsync($"/api/v1/generations/{running.Id}/cancel", null);
        await alice.GenerateAsync(TestUser.Request(steps: 1));

        IEnumerable<LedgerEntryBody> ledgerOf(Guid jobId) => ledger.Where(e => e.JobId == jobId);
    }

    [Fact]
    public async Task Two_calls_at_once_cancel_and_refund_each_job_exactly_once()
    {
        var user = await server.RegisterAsync();
        var running = await user.SubmitAsync(TestUser.Request(width: 512, height: 512, steps: 150));
        await user.WaitForAsync(running.Id, "running");
        var queued = new List<GenerationBody>();
        for (var i = 0; i < 6; i++)
        {
            queued.Add(await user.SubmitAsync(TestUser.Request(steps: 2, seed: i)));
        }

        var before = await user.MeAsync();
        var calls = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            var response = await user.Client.PostAsync("/api/v1/generations/cancel-queued", null);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<CancelQueuedBody>(Json.Options))!;
        }));

        // Between them, every job once: the second call found what the first left (nothing).
        Assert.Equal(queued.Count, calls.Sum(c => c.Cancelled));
        Assert.Equal(queued.Select(q => q.Id).Order(), calls.SelectMany(c => c.Ids).Order());
        Assert.Equal(queued.Sum(q => q.ReservedCredits), calls.Sum(c => c.RefundedCredits));
        var ledger = await user.LedgerAsync();
        Assert.All(queued, q => Assert.Single(ledger, e => e.JobId == q.Id && e.Kind == "release"));
        var after = await user.MeAsync();
        Assert.Equal(before.Credits.Balance + queued.Sum(q => q.ReservedCredits), after.Credits.Balance);
        Assert.Equal(after.Credits.Balance, ledger.Sum(e => e.Amount));
        Assert.Equal("running", (await user.GetAsync(running.Id)).Status);

        await user.Client.PostAsync($"/api/v1/generations/{running.Id}/cancel", null);
        await user.WaitForAsync(running.Id);
    }

    [Fact]
    public async Task A_long_queue_goes_in_one_call()
    {
        var user = await server.RegisterAsync();
        var running = await user.SubmitAsync(TestUser.Request(steps: 150));
        await user.WaitForAsync(running.Id, "running");
        var queued = new List<GenerationBody>();
        while ((await user.MeAsync()).Credits.Balance > 0 && queued.Count < 90)
        {
            queued.Add(await user.SubmitAsync(TestUser.Request(steps: 1, seed: queued.Count)));
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var response = await user.Client.PostAsync("/api/v1/generations/cancel-queued", null);
        clock.Stop();
        var body = (await response.Content.ReadFromJsonAsync<CancelQueuedBody>(Json.Options))!;
        output.WriteLine($"{body.Cancelled} queued jobs cancelled in {clock.ElapsedMilliseconds} ms");
        Assert.Equal(queued.Count, body.Cancelled);
        Assert.Equal(queued.Sum(q => q.ReservedCredits), body.RefundedCredits);
        Assert.Equal(0, await server.QueryAsync(db => db.Jobs.CountAsync(j => j.UserId == user.Id && j.Status == Pingvas.Server.Jobs.JobStatus.Queued)));
        var me = await user.MeAsync();
        Assert.Equal(me.Credits.Balance, (await user.LedgerAsync()).Sum(e => e.Amount));

        await user.Client.PostAsync($"/api/v1/generations/{running.Id}/cancel", null);
        await user.WaitForAsync(running.Id);
    }

    [Fact]
    public async Task With_nothing_queued_it_answers_zero_and_changes_nothing()
    {
        var user = await server.RegisterAsync();
        var done = await user.GenerateAsync(TestUser.Request(steps: 1));
        var before = await user.LedgerAsync();

        var response = await user.Client.PostAsync("/api/v1/generations/cancel-queued", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<CancelQueuedBody>(Json.Options))!;
        Assert.Equal((0, 0), (body.Cancelled, body.RefundedCredits));
        Assert.Empty(body.Ids);
        Assert.Equal("succeeded", (await user.GetAsync(done.Id)).Status);
        Assert.Equal(before.Count, (await user.LedgerAsync()).Count);
    }

    [Fact]
    public async Task It_is_not_under_the_submit_rate_limit()
    {
        await using var limited = await PingvasServer.StartAsync(new TestSettings { SubmitBurst = 1, SubmitsPerSecond = 1 });
        var user = await limited.RegisterAsync();
        await user.SubmitAsync(TestUser.Request(steps: 1));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await user.Client.PostAsync("/api/v1/generations/cancel-queued", null)).StatusCode);
        }

        await limited.WaitUntilIdleAsync();
    }
}
