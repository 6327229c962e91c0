using System.Net;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Streams;

/// <summary>
/// <c>GET /generations/{id}/events</c> and <c>GET /generations/events</c> as curl sees them: a raw
/// <c>text/event-stream</c> read over HTTP, the framing parsed by the test (<see cref="SseReader"/>).
/// </summary>
public sealed class GenerationStreamTests(GenerationStreamTests.Fixture fixture) : IClassFixture<GenerationStreamTests.Fixture>
{
    private const string AllPath = "/api/v1/generations/events";

    private readonly PingvasServer server = fixture.Server;

    // A pause per step so each step is its own event; a short keep-alive to see one.
    public sealed class Fixture() : ServerFixture(new TestSettings { StepDelayMs = 30 }.With("Streams:KeepAliveSeconds", "0.3"));

    private static string OnePath(Guid id) => $"/api/v1/generations/{id}/events";

    [Fact]
    public async Task One_generation_streams_queued_then_progress_then_success_in_order_and_closes()
    {
        var user = await server.RegisterAsync();
        var (job, release) = await SubmitBehindABusyWorkerAsync(user, TestUser.Request(steps: 6, seed: 3));
        await using var stream = await SseReader.OpenAsync(server, OnePath(job.Id), user);
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-cache", stream.Response.Headers.CacheControl?.ToString());

        var queued = await stream.NextAsync();
        Assert.Equal("queued", queued!.Status);
        await release();
        var events = await stream.ToEndAsync();

        // The server ended the stream after the final event.
        Assert.True(stream.Closed);
        Assert.All(events, e => Assert.Equal("generation", e.Event));
        Assert.All(events, e => Assert.False(string.IsNullOrEmpty(e.Id)));
        Assert.All(events, e => Assert.Equal(job.Id, e.JobId));
        Assert.Equal("queued", events[0].Status);
        Assert.Equal("succeeded", events[^1].Status);
        var running = events.Skip(1).SkipLast(1).ToList();
        Assert.NotEmpty(running);
        Assert.All(running, e => Assert.Equal("running", e.Status));
        Assert.Equal(running.Select(e => e.Step).Order(), running.Select(e => e.Step));
        Assert.Equal(6, running[^1].Step);

        // The hub's JSON: the live preview on steps, the images and the balance on the success.
        Assert.StartsWith("data:image/webp;base64,", running[^1].Json.GetProperty("preview").GetString());
        var done = events[^1].Json;
        Assert.Single(done.GetProperty("images").EnumerateArray());
        Assert.Equal((await user.MeAsync()).Credits.Balance, done.GetProperty("balance").GetInt32());
        Assert.Equal((await user.GetAsync(job.Id)).CreditsCharged, done.GetProperty("creditsCharged").GetInt32());
    }

    [Fact]
    public async Task The_all_generations_stream_keeps_alive_and_sees_two_generations()
    {
        var user = await server.RegisterAsync();
        var other = await server.RegisterAsync();
        await using var stream = await SseReader.OpenAsync(server, AllPath, user);
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(1));

        // Someone else's job is not in this stream.
        var theirs = await other.SubmitAsync(TestUser.Request(steps: 2));
        var first = await user.SubmitAsync(TestUser.Request(steps: 3, seed: 1));
        var second = await user.SubmitAsync(TestUser.Request(steps: 3, seed: 2));
        var finished = new HashSet<Guid>();
        while (finished.Count < 2)
        {
            var e = await stream.UntilAsync(e => e.Status is "succeeded" or "failed" or "cancelled");
            Assert.Equal("succeeded", e.Status);
            finished.Add(e.JobId);
        }

        Assert.Equal([first.Id, second.Id], finished.Order());
        Assert.DoesNotContain(stream.Events, e => e.JobId == theirs.Id);
        foreach (var id in new[] { first.Id, second.Id })
        {
            var statuses = stream.Events.Where(e => e.JobId == id).Select(e => e.Status).Distinct().ToList();
            Assert.Equal("succeeded", statuses[^1]);
            Assert.Contains("running", statuses);
        }

        // The stream was quiet for a second before the submits: keep-alive comments (every 0.3 s here) came first.
        Assert.Contains(" keep-alive", stream.Comments);
        Assert.False(stream.Closed);
        await other.WaitForAsync(theirs.Id);
    }

    [Fact]
    public async Task An_already_finished_generation_answers_its_final_state_and_closes()
    {
        var user = await server.RegisterAsync();
        var job = await user.SubmitAsync(TestUser.Request(steps: 2));
        var done = await user.WaitForAsync(job.Id);
        await using var stream = await SseReader.OpenAsync(server, OnePath(job.Id), user);
        var events = await stream.ToEndAsync(TimeSpan.FromSeconds(10));
        var only = Assert.Single(events);
        Assert.Equal(("succeeded", job.Id), (only.Status, only.JobId));
        Assert.Equal(done.Images.Select(i => i.Id), only.Json.GetProperty("images").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
        Assert.True(stream.Closed);

        // A resume of a finished generation gets the same final state and closes too.
        await using var again = await SseReader.OpenAsync(server, OnePath(job.Id), user, lastEventId: only.Id);
        Assert.Equal("succeeded", Assert.Single(await again.ToEndAsync(TimeSpan.FromSeconds(10))).Status);
    }

    [Fact]
    public async Task Resume_with_Last_Event_ID_gets_the_latest_state_and_misses_no_final_event()
    {
        var user = await server.RegisterAsync();
        await using (var owner = await SseReader.OpenAsync(server, AllPath, user))
        {
            // Nothing on a fresh connection without a cursor: live events only.
            var long1 = await user.SubmitAsync(TestUser.Request(steps: 30, seed: 5));
            var seen = await owner.UntilAsync(e => e.JobId == long1.Id && e.Status == "running" && e.Step >= 2);
            var cursor = seen.Id!;
            await owner.DisposeAsync();

            // While disconnected: the running job finishes, another is submitted and finishes too.
            var quick = await user.SubmitAsync(TestUser.Request(steps: 2, seed: 6));
            await user.WaitForAsync(long1.Id);
            await user.WaitForAsync(quick.Id);
            var running = await user.SubmitAsync(TestUser.Request(steps: 150, seed: 7));
            await user.WaitForAsync(running.Id, "running");

            await using var resumed = await SseReader.OpenAsync(server, AllPath, user, lastEventId: cursor);
            var replay = new List<SseEvent>();
            while (replay.Count < 3)
            {
                replay.Add((await resumed.NextAsync())!);
            }

            // Latest states first: both final ones, and the one still running.
            Assert.Equal("succeeded", replay.Single(e => e.JobId == long1.Id).Status);
            Assert.Equal("succeeded", replay.Single(e => e.JobId == quick.Id).Status);
            Assert.Equal("running", replay.Single(e => e.JobId == running.Id).Status);

            // Then live: the cancel of the running one arrives as its final event.
            Assert.Equal(HttpStatusCode.OK, (await user.Client.PostAsync($"/api/v1/generations/{running.Id}/cancel", null)).StatusCode);
            var cancelled = await resumed.UntilAsync(e => e.JobId == running.Id && e.Status != "running");
            Assert.Equal("cancelled", cancelled.Status);

            // Nothing about a finished job after its final state.
            Assert.DoesNotContain(resumed.Events.SkipWhile(e => !(e.JobId == long1.Id && e.Status == "succeeded")).Skip(1), e => e.JobId == long1.Id);
        }
    }

    [Fact]
    public async Task Resume_on_another_API_instance_of_the_same_PostgreSQL_database()
    {
        await using var first = await PingvasServer.StartAsync(new TestSettings { StepDelayMs = 30 }, database: await TestDatabase.CreatePostgresAsync());

        // The same signing key and database: a second process of one deployment.
        var second = await PingvasServer.StartAsync(new TestSettings().With(new Dictionary<string, string>(first.Settings)), database: first.Database);
        try
        {
            var user = await first.RegisterAsync();
            await using var onFirst = await SseReader.OpenAsync(first, AllPath, user);
            var job = await user.SubmitAsync(TestUser.Request(steps: 30, seed: 9));
            var seen = await onFirst.UntilAsync(e => e.JobId == job.Id && e.Status == "running" && e.Step >= 2);
            await onFirst.DisposeAsync();
            await user.WaitForAsync(job.Id);

            await using var onSecond = await SseReader.OpenAsync(second, AllPath, user, lastEventId: seen.Id);
            Assert.Equal(HttpStatusCode.OK, onSecond.Response.StatusCode);
            var replayed = await onSecond.UntilAsync(e => e.JobId == job.Id);
            Assert.Equal("succeeded", replayed.Status);

            // Live on the second instance: a job submitted through the first is heard there too.
            var next = await user.SubmitAsync(TestUser.Request(steps: 3, seed: 10));
            Assert.Equal("succeeded", (await onSecond.UntilAsync(e => e.JobId == next.Id && e.Status is "succeeded" or "failed" or "cancelled")).Status);

            // And the one-generation stream there answers a generation of the first.
            await using var one = await SseReader.OpenAsync(second, OnePath(job.Id), user);
            Assert.Equal("succeeded", Assert.Single(await one.ToEndAsync(TimeSpan.FromSeconds(10))).Status);
        }
        finally
        {
            // Stopped, not disposed: the first server drops the shared database.
            await second.StopAsync();
        }
    }

    [Fact]
    public async Task Another_users_generation_is_not_found_and_no_token_is_refused()
    {
        var owner = await server.RegisterAsync();
        var stranger = await server.RegisterAsync();
        var job = await owner.SubmitAsync(TestUser.Request(steps: 2));

        await ProblemAssert.ReadAsync(await stranger.Client.GetAsync(OnePath(job.Id)), HttpStatusCode.NotFound, "not_found");
        await ProblemAssert.ReadAsync(await owner.Client.GetAsync(OnePath(Guid.NewGuid())), HttpStatusCode.NotFound, "not_found");

        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(OnePath(job.Id))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(AllPath)).StatusCode);
        using var forged = server.CreateClient("not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync(AllPath)).StatusCode);

        // The stranger's all-generations stream says nothing of the owner's job.
        await using var strangers = await SseReader.OpenAsync(server, AllPath, stranger, lastEventId: null);
        await owner.WaitForAsync(job.Id);
        var mine = await stranger.SubmitAsync(TestUser.Request(steps: 2));
        await strangers.UntilAsync(e => e.JobId == mine.Id && e.Status == "succeeded");
        Assert.All(strangers.Events, e => Assert.Equal(mine.Id, e.JobId));
    }

    /// <summary>Submits while another user's long job holds the worker, so the job is seen queued; the returned call frees the worker.</summary>
    private async Task<(GenerationBody Job, Func<Task> Release)> SubmitBehindABusyWorkerAsync(TestUser user, object request)
    {
        var other = await server.RegisterAsync();
        var blocker = await other.SubmitAsync(TestUser.Request(steps: 150, seed: 1));
        await other.WaitForAsync(blocker.Id, "running");
        var job = await user.SubmitAsync(request);
        Assert.Equal("queued", job.Status);
        return (job, ReleaseAsync);

        async Task ReleaseAsync()
        {
            var cancel = await other.Client.PostAsync($"/api/v1/generations/{blocker.Id}/cancel", null);
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }
    }
}
