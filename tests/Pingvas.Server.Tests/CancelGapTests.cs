using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// A cancel the running process never hears (made between the claim and the run's registration for
/// cancels, or its broadcast lost) is still picked up at the next progress write, not only by the
/// heartbeat a third of a lease later.
/// </summary>
public sealed class CancelGapTests(CancelGapTests.Fixture fixture) : IClassFixture<CancelGapTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;

    // 100 ms per step (150 steps: 15 s); a 600 s lease puts the first heartbeat 200 s away, past the wait below.
    public sealed class Fixture() : ServerFixture(new TestSettings { StepDelayMs = 100, LeaseSeconds = 600 });

    [Fact]
    public async Task A_cancel_flag_no_broadcast_announced_stops_the_run_at_its_next_progress_write()
    {
        var user = await server.RegisterAsync();
        var job = await user.SubmitAsync(TestUser.Request(width: 512, height: 512, steps: 150));
        await Eventually.UntilAsync(async () => (await user.GetAsync(job.Id)).Progress.Step >= 2, TimeSpan.FromSeconds(60), "the job runs");

        // The flag as the cancel endpoint sets it, but without telling the running process.
        await server.QueryAsync(db => db.Jobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.CancelRequested, true)));

        var cancelled = await user.WaitForAsync(job.Id);
        Assert.Equal("cancelled", cancelled.Status);
        Assert.Empty(cancelled.Images);
        Assert.True(cancelled.GpuSeconds < 14, $"it ran {cancelled.GpuSeconds} s of 15");
    }
}
