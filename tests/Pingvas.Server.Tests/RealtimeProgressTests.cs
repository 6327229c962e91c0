using System.Net;
using System.Security.Cryptography;
using System.Text;

using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Generation;
using Pingvas.Server.Realtime;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// The progress stream at <c>/hubs/progress</c> as a real SignalR client sees it: the npm
/// <c>@microsoft/signalr</c> client under Node (see <see cref="NodeSignalRClient"/>), against the real server.
/// </summary>
public sealed class RealtimeProgressTests(RealtimeProgressTests.Fixture fixture) : IClassFixture<RealtimeProgressTests.Fixture>
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(20);

    private readonly PingvasServer server = fixture.Server;

    public static TheoryData<string, string, bool> ConnectionModes => new()
    {
        // auth, transport, skip negotiation
        { "header", "websockets", false },
        { "header", "websockets", true },
        { "query", "websockets", false },
        { "query", "auto", false },
        { "query", "longpolling", false },
        { "header", "serversentevents", false },
    };

    public static TheoryData<string, string, bool> RefusedConnections => new()
    {
        // token, auth, skip negotiation
        { "none", "header", false },
        { "none", "header", true },
        { "garbage", "query", false },
        { "forged", "header", false },
        { "forged", "query", false },
        { "forged", "header", true },
        { "expired", "query", false },
        { "expired", "header", true },
        { "no-such-account", "header", false },
    };

    // A pause per step so each step is a separate, observable event.
    public sealed class Fixture() : ServerFixture(new TestSettings { StepDelayMs = 30 });

    [Theory]
    [MemberData(nameof(ConnectionModes))]
    public async Task Owner_sees_queued_then_every_step_with_a_preview_then_one_success_with_its_balance(string auth, string transport, bool skipNegotiation)
    {
        var user = await server.RegisterAsync();
        await using var client = await NodeSignalRClient.ConnectAsync(server.BaseAddress, user.AccessToken,
            new NodeSignalROptions { Auth = auth, Transport = transport, SkipNegotiation = skipNegotiation });

        Assert.Equal(transport == "auto" ? "websockets" : transport, client.Transport);

        var job = await SubmitBehindABusyWorkerAsync(user, TestUser.Request(steps: 8, seed: 42));
        await client.ExitAfterAsync(job.Id);

        // The client leaves by itself after the job's terminal event.
        Assert.Equal(0, await client.WaitForExitAsync(Bounded));
        Assert.Equal("done", NodeSignalRClient.Kind(client.Lines[^1]));
        var events = client.Generations;
        Assert.All(events, e => Assert.Equal(job.Id, e.Id));

        // queued → running… → succeeded, in that order, once each at the ends.
        var queued = events[0];
        Assert.Equal("queued", queued.Status);
        Assert.NotNull(queued.QueuePosition);
        Assert.True(queued.QueuePosition >= 1, $"queuePosition {queued.QueuePosition}");
        Assert.Equal(100 - job.ReservedCredits, queued.Balance);
        var succeeded = events[^1];
        Assert.Equal("succeeded", succeeded.Status);
        Assert.Single(events, e => e.Status == "queued");
        Assert.Single(events, e => e.Status == "succeeded");

        var running = events.Skip(1).SkipLast(1).ToList();
        Assert.All(running, e => Assert.Equal("running", e.Status));
        Assert.All(running, e => Assert.Null(e.QueuePosition));
        AssertStepsClimb(running, totalSteps: 8);
        Assert.Equal(8, running[^1].Progress.Step);

        // Every rendered step carries a small WebP of the image so far.
        var rendered = running.Where(e => e.Progress.Step >= 1).ToList();
        Assert.Equal(8, rendered.Count);
        Assert.All(rendered, e => AssertWebPDataUrl(e.Preview));
        Assert.True(rendered.Select(e => e.Preview).Distinct().Count() > 1, "the previews should change as the image refines");

        // The success names the stored image, with URLs that work, and the balance after the charge.
        Assert.Null(succeeded.Preview);
        Assert.Equal(new ProgressBody(8, 8, 100), succeeded.Progress);
        var image = Assert.Single(succeeded.Images);
        Assert.False(string.IsNullOrEmpty(image.Url));
        Assert.False(string.IsNullOrEmpty(image.ThumbnailUrl));
        Assert.True(succeeded.CreditsCharged >= 1);
        Assert.Equal("procedural", succeeded.Engine);
        using var anonymous = server.CreateClient();
        var png = await anonymous.GetByteArrayAsync(image.Url);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        var thumb = await anonymous.GetByteArrayAsync(image.ThumbnailUrl);
        Assert.Equal("WEBP", Encoding.ASCII.GetString(thumb, 8, 4));

        var me = await user.MeAsync();
        Assert.Equal(me.Credits.Balance, succeeded.Balance);
        Assert.Equal(100 - succeeded.CreditsCharged, succeeded.Balance);
        var rest = await user.GetAsync(job.Id);
        Assert.Equal(rest.CreditsCharged, succeeded.CreditsCharged);
        Assert.Equal(rest.Images.Select(i => i.Id), succeeded.Images.Select(i => i.Id));
    }

    [Fact]
    public async Task Events_go_to_all_of_the_owners_connections_and_to_no_one_else()
    {
        var alice = await server.RegisterAsync();
        var bob = await server.RegisterAsync();
        await using var aliceHeader = await NodeSignalRClient.ConnectAsync(server.BaseAddress, alice.AccessToken, new NodeSignalROptions { Auth = "header" });
        await using var aliceQuery = await NodeSignalRClient.ConnectAsync(server.BaseAddress, alice.AccessToken, new NodeSignalROptions { Auth = "query" });
        await using var bobClient = await NodeSignalRClient.ConnectAsync(server.BaseAddress, bob.AccessToken, new NodeSignalROptions { Auth = "query" });

        var alicesJob = await SubmitBehindABusyWorkerAsync(alice, TestUser.Request(steps: 5));
        await aliceHeader.WaitForEventAsync(e => e.Id == alicesJob.Id && e.Status == "succeeded");
        await aliceQuery.WaitForEventAsync(e => e.Id == alicesJob.Id && e.Status == "succeeded");

        // Bob's own job comes through to Bob, after everything of Alice's was sent: had any of hers
        // been routed to him, it would be in his stream before his own.
        var bobsJob = await SubmitBehindABusyWorkerAsync(bob, TestUser.Request(steps: 5, seed: 8));
        await bobClient.ExitAfterAsync(bobsJob.Id);
        Assert.Equal(0, await bobClient.WaitForExitAsync(Bounded));

        var bobs = bobClient.Generations;
        Assert.NotEmpty(bobs);
        Assert.All(bobs, e => Assert.Equal(bobsJob.Id, e.Id));
        Assert.Equal(["queued", "running", "succeeded"], bobs.Select(e => e.Status).Distinct());
        Assert.Equal((await bob.MeAsync()).Credits.Balance, bobs[^1].Balance);

        // Both of Alice's connections saw the same stream of her job, and nothing of Bob's.
        var viaHeader = aliceHeader.Generations;
        var viaQuery = aliceQuery.Generations;
        Assert.All(viaHeader.Concat(viaQuery), e => Assert.Equal(alicesJob.Id, e.Id));
        Assert.Equal(viaHeader.Select(e => (e.Status, e.Progress.Step)), viaQuery.Select(e => (e.Status, e.Progress.Step)));
        Assert.Equal(["queued", "running", "succeeded"], viaHeader.Select(e => e.Status).Distinct());
    }

    [Theory]
    [MemberData(nameof(RefusedConnections))]
    public async Task A_connection_without_a_valid_token_is_refused(string token, string auth, bool skipNegotiation)
    {
        var user = await server.RegisterAsync();
        var accessToken = token switch
        {
            "none" => null,
            "garbage" => "not.a.jwt",
            "forged" => Forge(user.AccessToken),

            // Properly signed by the server's key, but past its expiry (beyond the clock skew) or for no account.
            "expired" => TestTokens.Create(server.ServerKey(), user.Id, expiresIn: TimeSpan.FromMinutes(-5)),
            "no-such-account" => TestTokens.Create(server.ServerKey(), Guid.NewGuid()),
            _ => throw new ArgumentOutOfRangeException(nameof(token)),
        };

        await using var client = NodeSignalRClient.Start(server.BaseAddress, accessToken,
            new NodeSignalROptions { Auth = auth, SkipNegotiation = skipNegotiation, Seconds = 15 });
        var exit = await client.WaitForExitAsync(Bounded);

        Assert.Equal(2, exit);
        Assert.DoesNotContain(client.Lines, l => NodeSignalRClient.Kind(l) == "connected");
        var refused = Assert.Single(client.Lines, l => NodeSignalRClient.Kind(l) == "refused");
        Assert.Equal(401, refused.GetProperty("statusCode").GetInt32());
        Assert.Contains("connection refused (HTTP 401)", client.Stderr);

        // The same user's real token still connects: the refusal was about the token.
        await using var genuine = await NodeSignalRClient.ConnectAsync(server.BaseAddress, user.AccessToken,
            new NodeSignalROptions { Auth = auth, SkipNegotiation = skipNegotiation });
    }

    [Fact]
    public async Task An_idle_client_hears_nothing_and_leaves_by_itself_at_its_time_limit()
    {
        var user = await server.RegisterAsync();
        var started = DateTime.UtcNow;
        await using var client = await NodeSignalRClient.ConnectAsync(server.BaseAddress, user.AccessToken, new NodeSignalROptions { Seconds = 2 });

        Assert.Equal(0, await client.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
        Assert.Empty(client.Generations);
        Assert.Equal("timeout", NodeSignalRClient.Kind(client.Lines[^1]));
    }

    [Fact]
    public async Task Cancelling_a_running_job_streams_a_cancelled_event_that_charges_the_seconds_used()
    {
        var user = await server.RegisterAsync();
        await using var client = await NodeSignalRClient.ConnectAsync(server.BaseAddress, user.AccessToken);

        var job = await SubmitBehindABusyWorkerAsync(user, TestUser.Request(steps: 40, seed: 5));
        await client.ExitAfterAsync(job.Id);
        await client.WaitForEventAsync(e => e.Id == job.Id && e.Status == "running" && e.Progress.Step >= 3);
        var response = await user.Client.PostAsync($"/api/v1/generations/{job.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.Equal(0, await client.WaitForExitAsync(Bounded));
        var events = client.Generations;
        Assert.All(events, e => Assert.Equal(job.Id, e.Id));
        Assert.Equal("queued", events[0].Status);
        var cancelled = events[^1];
        Assert.Equal("cancelled", cancelled.Status);
        Assert.Single(events, e => e.Status == "cancelled");
        Assert.DoesNotContain(events, e => e.Status is "succeeded" or "failed");

        var running = events.Skip(1).SkipLast(1).ToList();
        Assert.All(running, e => Assert.Equal("running", e.Status));
        AssertStepsClimb(running, totalSteps: 40);
        Assert.True(running[^1].Progress.Step < 40, $"the job ran to step {running[^1].Progress.Step} of 40 despite the cancel");

        // Cancelled while running: the seconds used are charged (at least one credit), nothing more.
        Assert.NotNull(cancelled.CreditsCharged);
        Assert.True(cancelled.CreditsCharged >= 1, $"creditsCharged {cancelled.CreditsCharged}");
        Assert.Empty(cancelled.Images);
        var me = await user.MeAsync();
        Assert.Equal(me.Credits.Balance, cancelled.Balance);
        Assert.Equal(100 - cancelled.CreditsCharged, me.Credits.Balance);
        Assert.Equal(0, me.Credits.Reserved);
        Assert.Equal(cancelled.CreditsCharged, (await user.GetAsync(job.Id)).CreditsCharged);
    }

    /// <summary>
    /// The job goes to an idle worker, and the submit is slow (here: by half a second, as under load
    /// or a GC pause) between saving the job and publishing its queued event. The owner must still see
    /// queued first: a queued event after running would show a running job as waiting again, with no
    /// queue position.
    /// </summary>
    [Fact]
    public async Task The_queued_event_is_not_overtaken_by_the_worker_when_the_submit_is_slow_to_publish()
    {
        await using var slow = await PingvasServer.StartAsync(
            new TestSettings { StepDelayMs = 30 },
            configureServices: services =>
            {
                services.AddSingleton<HubGenerationEvents>();
                services.AddSingleton<IGenerationEvents>(sp => new SlowQueuedEvents(sp.GetRequiredService<HubGenerationEvents>()));
            });
        var user = await slow.RegisterAsync();
        await using var client = await NodeSignalRClient.ConnectAsync(slow.BaseAddress, user.AccessToken);

        var job = await user.SubmitAsync(TestUser.Request(steps: 30, seed: 3));
        await client.ExitAfterAsync(job.Id);

        Assert.Equal(0, await client.WaitForExitAsync(Bounded));
        var events = client.Generations;
        var order = string.Join(" > ", events.Select(e => e.Status == "running" ? $"running#{e.Progress.Step}" : $"{e.Status}#{e.QueuePosition}"));
        Assert.True(events[0].Status == "queued" && events[0].QueuePosition >= 1, $"the owner saw: {order}");
        Assert.Equal("succeeded", events[^1].Status);
        Assert.Single(events, e => e.Status == "queued");
    }

    /// <summary>Steps strictly increase up to at most the total, each with the matching percent.</summary>
    private static void AssertStepsClimb(IReadOnlyList<GenerationEventBody> running, int totalSteps)
    {
        Assert.NotEmpty(running);
        for (var i = 0; i < running.Count; i++)
        {
            var progress = running[i].Progress;
            Assert.Equal(totalSteps, progress.TotalSteps);
            Assert.InRange(progress.Step, 0, totalSteps);
            Assert.Equal(100 * progress.Step / totalSteps, progress.Percent);
            if (i > 0)
            {
                Assert.True(progress.Step > running[i - 1].Progress.Step,
                    $"step {progress.Step} came after step {running[i - 1].Progress.Step}");
            }
        }
    }

    private static void AssertWebPDataUrl(string? preview)
    {
        const string prefix = "data:image/webp;base64,";
        Assert.NotNull(preview);
        Assert.StartsWith(prefix, preview);
        var bytes = Convert.FromBase64String(preview[prefix.Length..]);
        Assert.True(bytes.Length > 12, $"a {bytes.Length}-byte preview");
        Assert.Equal("RIFF", Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.Equal("WEBP", Encoding.ASCII.GetString(bytes, 8, 4));
        Assert.Equal(bytes.Length - 8, BitConverter.ToInt32(bytes, 4));
    }

    /// <summary>The genuine token's header and claims, signed with a key the server never saw.</summary>
    private static string Forge(string token)
    {
        var parts = token.Split('.');
        var signature = HMACSHA256.HashData(RandomNumberGenerator.GetBytes(32), Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"));
        return $"{parts[0]}.{parts[1]}.{Convert.ToBase64String(signature).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";
    }

    /// <summary>
    /// Submits while another user's long job holds the only worker, then frees the worker: the job
    /// really waits in the queue (position 1), and its queued event is out before a worker can take it.
    /// </summary>
    private async Task<GenerationBody> SubmitBehindABusyWorkerAsync(TestUser user, object request)
    {
        var other = await server.RegisterAsync();
        var blocker = await other.SubmitAsync(TestUser.Request(steps: 150, seed: 1));
        await other.WaitForAsync(blocker.Id, "running");

        var job = await user.SubmitAsync(request);
        Assert.Equal("queued", job.Status);
        Assert.True(job.QueuePosition >= 1, $"queuePosition {job.QueuePosition}");
        Assert.Equal("running", (await other.GetAsync(blocker.Id)).Status);

        var cancel = await other.Client.PostAsync($"/api/v1/generations/{blocker.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        return job;
    }

    /// <summary>The real publisher, with the submit's queued event held back as a slow request would.</summary>
    private sealed class SlowQueuedEvents(HubGenerationEvents inner) : IGenerationEvents
    {
        public async Task PublishAsync(Guid userId, GenerationDto generation, CancellationToken ct)
        {
            if (generation.Status == "queued")
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }

            await inner.PublishAsync(userId, generation, ct);
        }

        public Task SendAsync(Guid userId, GenerationDto generation, CancellationToken ct) => inner.SendAsync(userId, generation, ct);
    }
}
