using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Admin;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Realtime;

/// <summary>
/// Revoking a user's tokens closes that user's open hub connections at once (not when the token
/// expires, up to 15 minutes later): a suspension, sign out everywhere and a password change. The
/// client sees its connection close and its reconnect with the old token is refused with 401;
/// other users' connections stay open and keep receiving their events.
/// </summary>
public sealed class HubSignOutTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    /// <summary>What "at once" has to beat by far: the token's own expiry closes a connection after 15 minutes.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task A_suspension_closes_the_users_connections_on_every_transport_and_leaves_others_open()
    {
        var admin = await AdminKit.AdminAsync(server);
        var user = await server.RegisterAsync();
        var bystander = await server.RegisterAsync();
        var options = new NodeSignalROptions { Seconds = 60 };
        await using var webSocket = await NodeSignalRClient.ConnectAsync(server.BaseAddress, user.AccessToken, options with { Auth = "query" });
        await using var serverSent = await NodeSignalRClient.ConnectAsync(server.BaseAddress, user.AccessToken, options with { Transport = "serversentevents" });
        await using var other = await NodeSignalRClient.ConnectAsync(server.BaseAddress, bystander.AccessToken, options);

        var clock = Stopwatch.StartNew();
        var suspend = await admin.Client.PatchAsJsonAsync($"/api/v1/admin/users/{user.Id}", new { suspended = true });
        Assert.Equal(HttpStatusCode.OK, suspend.StatusCode);
        foreach (var client in new[] { webSocket, serverSent })
        {
            Assert.True(await client.WaitForExitAsync(Bound) == 3, $"expected a closed connection\n{client.Describe()}");
            Assert.Contains(client.Lines, l => NodeSignalRClient.Kind(l) == "closed");
        }

        Assert.True(clock.Elapsed < Bound, $"closed after {clock.Elapsed.TotalSeconds:0.0} s");
        await AssertRefusedAsync(user.AccessToken);
        await AssertStillOpenAsync(other, bystander);
    }

    [Theory]
    [InlineData("logout-all")]
    [InlineData("password")]
    public async Task Signing_out_everywhere_closes_the_users_connections_and_leaves_others_open(string how)
    {
        var user = await server.RegisterAsync();
        var bystander = await server.RegisterAsync();
        var options = new NodeSignalROptions { Seconds = 60 };
        await using var mine = await NodeSignalRClient.ConnectAsync(server.BaseAddress, user.AccessToken, options);
        await using var other = await NodeSignalRClient.ConnectAsync(server.BaseAddress, bystander.AccessToken, options);

        var response = how == "logout-all"
            ? await user.Client.PostAsync("/api/v1/auth/logout-all", null)
            : await user.Client.PostAsJsonAsync("/api/v1/me/password", new { currentPassword = user.Password, newPassword = "another horse battery" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());

        Assert.True(await mine.WaitForExitAsync(Bound) == 3, $"expected a closed connection\n{mine.Describe()}");
        await AssertRefusedAsync(user.AccessToken);
        await AssertStillOpenAsync(other, bystander);

        // A fresh sign-in connects again (after a password change, this session's new token does).
        using var anonymous = server.CreateClient();
        var fresh = how == "logout-all"
            ? (await (await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = user.Password }))
                .Content.ReadFromJsonAsync<AuthBody>(Json.Options))!.AccessToken
            : (await response.Content.ReadFromJsonAsync<AuthBody>(Json.Options))!.AccessToken;
        await using var again = await NodeSignalRClient.ConnectAsync(server.BaseAddress, fresh, options with { Seconds = 10 });
        Assert.Equal("websockets", again.Transport);
    }

    /// <summary>The old token cannot open a connection again: the negotiate is answered 401.</summary>
    private async Task AssertRefusedAsync(string accessToken)
    {
        await using var retry = NodeSignalRClient.Start(server.BaseAddress, accessToken, new NodeSignalROptions { Seconds = 20 });
        Assert.True(await retry.WaitForExitAsync(TimeSpan.FromSeconds(20)) == 2, retry.Describe());
        var refused = Assert.Single(retry.Lines, l => NodeSignalRClient.Kind(l) == "refused");
        Assert.Equal(401, refused.GetProperty("statusCode").GetInt32());
    }

    /// <summary>The other user's connection was not closed and still delivers that user's events.</summary>
    private static async Task AssertStillOpenAsync(NodeSignalRClient client, TestUser owner)
    {
        var job = await owner.SubmitAsync(TestUser.Request(steps: 1));
        await client.WaitForEventAsync(e => e.Id == job.Id && e.Status == "succeeded");
        Assert.DoesNotContain(client.Lines, l => NodeSignalRClient.Kind(l) == "closed");
        Assert.False(client.Exited.IsCompleted, client.Describe());
    }
}
