using System.Net;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>Cancel before start refunds everything; cancel while running charges only the seconds used.</summary>
public sealed class CancellationTests(CancellationTests.Fixture fixture) : IClassFixture<CancellationTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;

    // 100 ms per step makes a 40-step job take 4 s: long enough to catch it queued and running.
    public sealed class Fixture() : ServerFixture(new TestSettings { StepDelayMs = 100 });

    [Fact]
    public async Task Cancelling_a_queued_job_refunds_its_whole_reservation()
    {
        var user = await server.RegisterAsync();
        var running = await user.SubmitAsync(TestUser.Request(steps: 40));
        var queued = await user.SubmitAsync(TestUser.Request(steps: 40));

        // Free runs one job at a time, so the second waits behind the first.
        Assert.Equal("queued", (await user.GetAsync(queued.Id)).Status);
        var before = await user.MeAsync();
        var response = await user.Client.PostAsync($"/api/v1/generations/{queued.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var cancelled = await user.GetAsync(queued.Id);
        Assert.Equal("cancelled", cancelled.Status);
        Assert.Equal(0, cancelled.CreditsCharged);
        var after = await user.MeAsync();
        Assert.Equal(before.Credits.Balance + queued.ReservedCredits, after.Credits.Balance);
        var release = Assert.Single(await user.LedgerAsync(), e => e.JobId == queued.Id && e.Kind == "release");
        Assert.Equal(queued.ReservedCredits, release.Amount);

        // Cancelling again changes nothing.
        await user.Client.PostAsync($"/api/v1/generations/{queued.Id}/cancel", null);
        Assert.Equal(after.Credits.Balance, (await user.MeAsync()).Credits.Balance);
        await user.Client.PostAsync($"/api/v1/generations/{running.Id}/cancel", null);
        await user.WaitForAsync(running.Id);
    }

    [Fact]
    public async Task Cancelling_a_running_job_charges_the_elapsed_seconds_and_releases_the_rest()
    {
        var user = await server.RegisterAsync();
        var job = await user.SubmitAsync(TestUser.Request(width: 512, height: 512, steps: 150));
        Assert.True(job.ReservedCredits >= 16);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await user.GetAsync(job.Id)).Progress.Step < 12 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await user.Client.PostAsync($"/api/v1/generations/{job.Id}/cancel", null);
        var cancelled = await user.WaitForAsync(job.Id);
        Assert.Equal("cancelled", cancelled.Status);
        Assert.Empty(cancelled.Images);

        // It ran at least 12 steps × 100 ms and stopped well before all 150 (15 s).
        Assert.InRange(cancelled.GpuSeconds!.Value, 1.2, 14);
        Assert.Equal((int)Math.Ceiling(cancelled.GpuSeconds.Value - 0.0005), cancelled.CreditsCharged);
        Assert.True(cancelled.CreditsCharged < job.ReservedCredits);

        var ledger = await user.LedgerAsync();
        Assert.Equal(-cancelled.CreditsCharged, Assert.Single(ledger, e => e.JobId == job.Id && e.Kind == "charge").Amount);
        var me = await user.MeAsync();
        Assert.Equal(100 - cancelled.CreditsCharged, me.Credits.Balance);
        Assert.Equal(me.Credits.Balance, ledger.Sum(e => e.Amount));
    }

    [Fact]
    public async Task Finished_jobs_cannot_be_cancelled_into_a_refund()
    {
        var user = await server.RegisterAsync();
        var job = await user.SubmitAsync(TestUser.Request(steps: 2));
        var done = await user.WaitForAsync(job.Id);
        var balance = (await user.MeAsync()).Credits.Balance;
        var response = await user.Client.PostAsync($"/api/v1/generations/{job.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("succeeded", (await user.GetAsync(job.Id)).Status);
        Assert.Equal(balance, (await user.MeAsync()).Credits.Balance);
        Assert.Equal(done.CreditsCharged, (await user.GetAsync(job.Id)).CreditsCharged);
    }
}
