using System.Diagnostics;
using System.Net;

using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Realtime;
using Pingvas.Server.Tests.Developer;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Streams;

/// <summary>How an event stream ends other than by a final event: the client leaves, its token or key expires, its key is revoked; and what a cursor holds.</summary>
public sealed class StreamLifetimeTests(StreamLifetimeTests.Fixture fixture) : IClassFixture<StreamLifetimeTests.Fixture>
{
    private const string AllPath = "/api/v1/generations/events";

    private readonly PingvasServer server = fixture.Server;

    // Steps take a moment, so a long job is still running when a test needs it to be.
    public sealed class Fixture() : ServerFixture(new TestSettings { StepDelayMs = 100 });

    [Fact]
    public async Task A_client_that_leaves_ends_its_stream_cleanly()
    {
        var user = await server.RegisterAsync();
        var streams = server.Services.GetRequiredService<GenerationStreams>();
        var job = await user.SubmitAsync(TestUser.Request(steps: 2));
        await user.WaitForAsync(job.Id);
        var problemsBefore = server.Problems.Lines.Count;

        var one = await SseReader.OpenAsync(server, AllPath, user);
        Assert.Equal(HttpStatusCode.OK, one.Response.StatusCode);
        await Eventually.UntilAsync(() => Task.FromResult(streams.Users.Contains(user.Id)), TimeSpan.FromSeconds(10), "the stream should be subscribed");
        await one.DisposeAsync();

        // The server notices the request's end, drops the subscription and logs nothing about it.
        await Eventually.UntilAsync(() => Task.FromResult(!streams.Users.Contains(user.Id)), TimeSpan.FromSeconds(10), "the subscription should be gone");
        Assert.Equal(problemsBefore, server.Problems.Lines.Count);
    }

    [Fact]
    public async Task A_stream_ends_when_the_token_it_was_opened_with_expires()
    {
        var user = await server.RegisterAsync();
        var clock = Stopwatch.StartNew();
        var shortToken = TestTokens.Create(server.ServerKey(), user.Id, TimeSpan.FromSeconds(4));
        await using var stream = await SseReader.OpenAsync(server.BaseAddress, AllPath, shortToken);
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);

        Assert.Empty(await stream.ToEndAsync(TimeSpan.FromSeconds(30)));
        Assert.True(stream.Closed);

        // Not before the token's expiry (a JWT's exp is whole seconds, so up to one early).
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(3), $"closed after {clock.Elapsed}");
    }

    [Fact]
    public async Task Signing_out_everywhere_ends_the_users_streams_at_once()
    {
        var user = await server.RegisterAsync();
        var other = await server.RegisterAsync();
        await using var signedOut = await SseReader.OpenAsync(server, AllPath, user);
        await using var stays = await SseReader.OpenAsync(server, AllPath, other);
        var streams = server.Services.GetRequiredService<GenerationStreams>();
        await Eventually.UntilAsync(() => Task.FromResult(streams.Users.Contains(user.Id) && streams.Users.Contains(other.Id)), TimeSpan.FromSeconds(10), "both streams should be subscribed");

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.PostAsync("/api/v1/auth/logout-all", null)).StatusCode);
        Assert.Empty(await signedOut.ToEndAsync(TimeSpan.FromSeconds(10)));
        Assert.True(signedOut.Closed);

        // Someone else's stream goes on.
        var job = await other.SubmitAsync(TestUser.Request(steps: 2));
        Assert.Equal("succeeded", (await stays.UntilAsync(e => e.JobId == job.Id && e.Status != "queued" && e.Status != "running")).Status);
    }

    [Fact]
    public async Task A_stream_opened_with_a_key_ends_when_the_key_expires()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var clock = Stopwatch.StartNew();
        var created = await ApiKeyKit.CreateAsync(user, ["read"], expiresAt: DateTime.UtcNow.AddSeconds(4));
        await using var stream = await SseReader.OpenAsync(server.BaseAddress, AllPath, created.GetProperty("key").GetString());
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);

        Assert.Empty(await stream.ToEndAsync(TimeSpan.FromSeconds(30)));
        Assert.True(stream.Closed);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(3), $"closed after {clock.Elapsed}");
    }

    [Fact]
    public async Task Revoking_a_key_ends_the_streams_opened_with_it_at_once_and_no_others()
    {
        var (user, key, keyId) = await ApiKeyKit.StarterWithKeyAsync(server, "read");
        var otherKey = (await ApiKeyKit.CreateAsync(user, ["read"], "other")).GetProperty("key").GetString();
        await using var revoked = await SseReader.OpenAsync(server.BaseAddress, AllPath, key);
        await using var viaOtherKey = await SseReader.OpenAsync(server.BaseAddress, AllPath, otherKey);
        await using var viaSession = await SseReader.OpenAsync(server, AllPath, user);
        var running = await user.SubmitAsync(TestUser.Request(steps: 150));
        await using var oneJob = await SseReader.OpenAsync(server.BaseAddress, $"/api/v1/generations/{running.Id}/events", key);
        Assert.All([revoked, viaOtherKey, viaSession, oneJob], s => Assert.Equal(HttpStatusCode.OK, s.Response.StatusCode));

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/keys/{keyId}")).StatusCode);
        // Well before anything else would end them: the key never expires, and the long job runs on.
        static bool Final(SseEvent e) => e.Status is "succeeded" or "failed" or "cancelled";
        Assert.DoesNotContain(await revoked.ToEndAsync(TimeSpan.FromSeconds(10)), Final);
        Assert.True(revoked.Closed);
        Assert.DoesNotContain(await oneJob.ToEndAsync(TimeSpan.FromSeconds(10)), Final);
        Assert.True(oneJob.Closed);
        await using (var again = await SseReader.OpenAsync(server.BaseAddress, AllPath, key))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, again.Response.StatusCode);
        }

        // The owner's other key and session stream on.
        Assert.Equal(HttpStatusCode.OK, (await user.Client.PostAsync($"/api/v1/generations/{running.Id}/cancel", null)).StatusCode);
        var job = await user.SubmitAsync(TestUser.Request(steps: 2));
        Assert.Equal("succeeded", (await viaOtherKey.UntilAsync(e => e.JobId == job.Id && Final(e))).Status);
        Assert.Equal("succeeded", (await viaSession.UntilAsync(e => e.JobId == job.Id && Final(e))).Status);
    }

    [Fact]
    public void A_cursor_is_opaque_and_round_trips_its_moment()
    {
        var at = new DateTime(2026, 12, 3, 1, 2, 3, 456, DateTimeKind.Utc);
        var cursor = StreamCursor.Encode(at);
        Assert.DoesNotContain("2026", cursor);
        Assert.Equal(at, StreamCursor.Decode(cursor));

        // Anything this server did not write replays nothing.
        Assert.Null(StreamCursor.Decode(null));
        Assert.Null(StreamCursor.Decode(""));
        Assert.Null(StreamCursor.Decode("42"));
        Assert.Null(StreamCursor.Decode("not base64 at all!"));
        Assert.Null(StreamCursor.Decode(new string('A', 200)));
        Assert.Null(StreamCursor.Decode(Convert.ToBase64String("2:1700000000000"u8.ToArray())));
    }
}
