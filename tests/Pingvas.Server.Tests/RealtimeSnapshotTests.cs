using Microsoft.EntityFrameworkCore;

using Npgsql;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// A client that missed events gets the current state of its jobs: on (re)connecting to the hub,
/// and after its API instance's listener was down (PostgreSQL). Events are states, so a snapshot
/// replaces what was missed.
/// </summary>
public sealed class RealtimeSnapshotTests
{
    [Fact]
    public async Task A_client_that_was_away_gets_the_state_of_its_jobs_when_it_connects_again()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings { StepDelayMs = 100 });
        var user = await server.RegisterAsync();
        var earlier = await user.GenerateAsync(TestUser.Request(steps: 2, seed: 1));
        var cutoff = DateTime.UtcNow;

        GenerationBody missed;
        await using (var first = await NodeSignalRClient.ConnectAsync(server.BaseAddress, user.AccessToken))
        {
            missed = await user.SubmitAsync(TestUser.Request(steps: 10, seed: 2));
            await first.WaitForEventAsync(e => e.Id == missed.Id && e.Status == "running");
        }

        // Away while it finishes and while another waits behind a running one.
        var done = await user.WaitForAsync(missed.Id);
        var running = await user.SubmitAsync(TestUser.Request(steps: 150, seed: 3));
        var queued = await user.SubmitAsync(TestUser.Request(steps: 2, seed: 4));
        await user.WaitForAsync(running.Id, "running");

        await using var back = await NodeSignalRClient.ConnectAsync(server.BaseAddress, user.AccessToken, new NodeSignalROptions { Since = cutoff });
        var finished = await back.WaitForEventAsync(e => e.Id == missed.Id);
        Assert.Equal(("succeeded", done.CreditsCharged, done.Images.Single().Id), (finished.Status, finished.CreditsCharged, finished.Images.Single().Id));
        Assert.Equal("running", (await back.WaitForEventAsync(e => e.Id == running.Id)).Status);
        var waiting = await back.WaitForEventAsync(e => e.Id == queued.Id);
        Assert.Equal("queued", waiting.Status);
        Assert.True(waiting.QueuePosition >= 1);

        // Finished before the time the client named: not sent again.
        Assert.DoesNotContain(back.Generations, e => e.Id == earlier.Id);
        Assert.Single(back.Generations, e => e.Id == missed.Id);
        await user.Client.PostAsync($"/api/v1/generations/{running.Id}/cancel", null);
        await user.WaitForAsync(queued.Id);
    }

    [Fact]
    public async Task A_client_whose_api_stopped_listening_gets_the_final_state_it_missed()
    {
        await using var server = await PingvasServer.StartAsync(
            new TestSettings { StepDelayMs = 30 }.With("Events:ReconnectMinMilliseconds", "3000").With("Events:ReconnectMaxMilliseconds", "3000"),
            database: await TestDatabase.CreatePostgresAsync());
        var user = await server.RegisterAsync();
        await using var client = await NodeSignalRClient.ConnectAsync(server.BaseAddress, user.AccessToken, new NodeSignalROptions { Seconds = 60 });
        var job = await user.SubmitAsync(TestUser.Request(steps: 40));
        await client.WaitForEventAsync(e => e.Id == job.Id && e.Status == "running");

        // The listening connection drops (a PostgreSQL restart, a network blip); it comes back in 3 s.
        await using (var admin = new NpgsqlConnection(server.Database.ConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE '% listen'", admin);
            Assert.Equal(1, (int)(await kill.ExecuteScalarAsync())!);
        }

        // The job ends while nobody listens: its final event is not heard, and comes with the resync.
        var done = await user.WaitForAsync(job.Id);
        var final = await client.WaitForEventAsync(e => e.Id == job.Id && e.Status == "succeeded", TimeSpan.FromSeconds(30));
        Assert.Equal((done.CreditsCharged, done.Images.Single().Id), (final.CreditsCharged, final.Images.Single().Id));
        await Eventually.UntilAsync(() => server.QueryAsync(db => db.Outbox.AnyAsync(m => m.UserId == user.Id && m.DeliveredAt != null)),
            TimeSpan.FromSeconds(10), "the final event's outbox row to be marked delivered");
    }
}
