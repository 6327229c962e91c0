using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Tests.Streams;

namespace Pingvas.Server.Tests.Realtime;

/// <summary>
/// Across processes (PostgreSQL, separate OS processes): sign out everywhere on one API instance
/// closes the user's hub connection held by another instance, through <c>NOTIFY pingvas_signout</c>;
/// revoking an API key ends the event streams opened with it there, through <c>NOTIFY pingvas_key_revoked</c>.
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

    [Fact]
    public async Task Revoking_a_key_on_one_api_ends_its_event_streams_on_another()
    {
        await using var cluster = await PingvasCluster.StartAsync(apis: 2, workers: 0);
        var (api1, api2) = (cluster.Apis[0], cluster.Apis[1]);
        var user = await cluster.RegisterAsync(api1);
        await using (var db = cluster.OpenDb())
        {
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.PlanId, "starter"));
        }

        using var client = api1.CreateClient(user.AccessToken);
        async Task<JsonElement> CreateKeyAsync(string name)
        {
            var response = await client.PostAsJsonAsync("/api/v1/keys", new { name, scopes = new[] { "read" } });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
        }

        var key = await CreateKeyAsync("revoked");
        var other = await CreateKeyAsync("stays");
        await using var revoked = await SseReader.OpenAsync(api2.BaseAddress, "/api/v1/generations/events", key.GetProperty("key").GetString());
        await using var stays = await SseReader.OpenAsync(api2.BaseAddress, "/api/v1/generations/events", other.GetProperty("key").GetString());
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (revoked.Response.StatusCode, stays.Response.StatusCode));

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/keys/{key.GetProperty("id").GetGuid()}")).StatusCode);

        Assert.Empty(await revoked.ToEndAsync(TimeSpan.FromSeconds(10)));
        Assert.True(revoked.Closed, cluster.Describe());
        await Assert.ThrowsAsync<TimeoutException>(() => stays.NextAsync(TimeSpan.FromSeconds(1)));
        Assert.False(stays.Closed);
    }
}
