using System.Net;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Realtime;

/// <summary>
/// Across processes (PostgreSQL, separate OS processes): sign out everywhere on one API instance
/// closes the user's hub connection held by another instance, through <c>NOTIFY pingvas_signout</c>.
/// </summary>
[Collection(ProcessTests.Collection)]
public sealed class HubSignOutProcessTests
{
    [Fact]
    public async Task Signing_out_on_one_api_closes_the_connection_held_by_another()
    {
        await using var cluster = await PingvasCluster.StartAsync(apis: 2, workers: 0);
        var (api1, api2) = (cluster.Apis[0], cluster.Apis[1]);
        var user = await cluster.RegisterAsync(api1);
        var bystander = await cluster.RegisterAsync(api1);
        var options = new NodeSignalROptions { Seconds = 60 };
        await using var mine = await NodeSignalRClient.ConnectAsync(api2.BaseAddress, user.AccessToken, options);
        await using var other = await NodeSignalRClient.ConnectAsync(api2.BaseAddress, bystander.AccessToken, options);

        using var client = api1.CreateClient(user.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/v1/auth/logout-all", null)).StatusCode);

        // Well under the token's own expiry (15 minutes), which would close it otherwise.
        Assert.True(await mine.WaitForExitAsync(TimeSpan.FromSeconds(10)) == 3, mine.Describe() + cluster.Describe());

        // The bystander on the same instance is still connected, and the old token cannot reconnect there.
        Assert.False(other.Exited.IsCompleted, other.Describe());
        await using var retry = NodeSignalRClient.Start(api2.BaseAddress, user.AccessToken, new NodeSignalROptions { Seconds = 20 });
        Assert.True(await retry.WaitForExitAsync(TimeSpan.FromSeconds(20)) == 2, retry.Describe());
    }
}
