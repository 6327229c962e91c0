using System.Diagnostics;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// A SignalR connection is closed by the server when the access token it was opened with expires
/// (the npm client under Node reports the close); a connection with a valid token stays.
/// </summary>
public sealed class HubTokenExpiryTests : IAsyncLifetime
{
    private PingvasServer server = null!;

    public async Task InitializeAsync() => server = await PingvasServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task A_connection_is_closed_when_its_token_expires_and_one_with_a_live_token_stays()
    {
        var user = await server.RegisterAsync();
        var clock = Stopwatch.StartNew();
        // Long enough for Node to start and connect on a busy machine, short enough to wait for.
        var shortToken = TestTokens.Create(server.ServerKey(), user.Id, TimeSpan.FromSeconds(10));
        var connecting = new[] { "header", "query" }.Select(auth =>
            NodeSignalRClient.ConnectAsync(server.BaseAddress, shortToken, new NodeSignalROptions { Auth = auth, Seconds = 60 })).ToList();
        await using var live = await NodeSignalRClient.ConnectAsync(server.BaseAddress, user.AccessToken, new NodeSignalROptions { Seconds = 90 });
        await using var header = await connecting[0];
        await using var query = await connecting[1];

        // Both short-lived connections end by the server's close (exit 3), not by the client's own limit.
        foreach (var client in new[] { header, query })
        {
            Assert.Equal(3, await client.WaitForExitAsync(TimeSpan.FromSeconds(50)));
            Assert.Equal("closed", NodeSignalRClient.Kind(client.Lines[^1]));
        }

        // Not before the token's expiry (a JWT's exp is whole seconds, so up to one early).
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(9), $"closed after {clock.Elapsed}");

        // The connection with a live token is still open and still gets its events.
        var job = await user.SubmitAsync(TestUser.Request(steps: 2));
        await live.WaitForEventAsync(e => e.Id == job.Id && e.Status == "succeeded", TimeSpan.FromSeconds(60));
        Assert.DoesNotContain(live.Lines, l => NodeSignalRClient.Kind(l) is "closed" or "timeout");
    }
}
