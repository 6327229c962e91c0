using System.Diagnostics;
using System.Net;

using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Realtime;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Streams;

/// <summary>How an event stream ends other than by a final event: the client leaves, or its token expires; and what a cursor holds.</summary>
public sealed class StreamLifetimeTests(StreamLifetimeTests.Fixture fixture) : IClassFixture<StreamLifetimeTests.Fixture>
{
    private const string AllPath = "/api/v1/generations/events";

    private readonly PingvasServer server = fixture.Server;

    public sealed class Fixture() : ServerFixture(new TestSettings());

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
