using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Jobs;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Admin;

/// <summary>
/// A suspension takes effect at once: the account's access tokens are refused (API and hub) with
/// 401 account_suspended, refresh and sign-in are refused, its queued jobs are cancelled and
/// refunded and its running job is stopped. Lifting it lets the user sign in again, but the old
/// sessions stay signed out.
/// </summary>
public sealed class SuspensionTests
{
    [Fact]
    public async Task A_suspended_account_is_refused_everywhere_and_its_jobs_are_cancelled_and_refunded()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings { StepDelayMs = 300 });
        var admin = await AdminKit.AdminAsync(server);
        var user = await server.RegisterAsync();
        var bystander = await server.RegisterAsync();

        // Free: one job at a time, so the first runs and the second waits.
        var running = await user.SubmitAsync(TestUser.Request(steps: 100));
        var queued = await user.SubmitAsync(TestUser.Request(steps: 2));
        await user.WaitForAsync(running.Id, "running");
        var before = await user.MeAsync();
        Assert.True(before.Credits.Reserved > 0);
        Assert.Equal(HttpStatusCode.OK, (await Negotiate(server, user.AccessToken)).StatusCode);

        var suspend = await admin.Client.PatchAsJsonAsync($"/api/v1/admin/users/{user.Id}", new { suspended = true });
        Assert.True((await suspend.Content.ReadFromJsonAsync<AdminUserBody>(Json.Options))!.Suspended);

        await ProblemAssert.ReadAsync(await user.Client.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "account_suspended");
        await ProblemAssert.ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/generations", TestUser.Request()), HttpStatusCode.Unauthorized, "account_suspended");
        await ProblemAssert.ReadAsync(await Negotiate(server, user.AccessToken), HttpStatusCode.Unauthorized, "account_suspended");
        using var anonymous = server.CreateClient();
        await ProblemAssert.ReadAsync(await anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = user.RefreshToken }), HttpStatusCode.Unauthorized, "invalid_refresh_token");
        await ProblemAssert.ReadAsync(
            await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = user.Password }), HttpStatusCode.Forbidden, "account_suspended");
        await ProblemAssert.ReadAsync(
            await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = "wrong password!" }), HttpStatusCode.Unauthorized, "invalid_credentials");

        // Others are untouched.
        Assert.Equal(HttpStatusCode.OK, (await bystander.Client.GetAsync("/api/v1/me")).StatusCode);

        // The queued job was cancelled with a full refund; the running one stops and pays for its seconds only.
        Assert.Equal(JobStatus.Cancelled, await server.QueryAsync(db => db.Jobs.Where(j => j.Id == queued.Id).Select(j => j.Status).SingleAsync()));
        await Eventually.UntilAsync(
            async () => await server.QueryAsync(db => db.Jobs.Where(j => j.Id == running.Id).Select(j => j.Status).SingleAsync()) == JobStatus.Cancelled,
            TimeSpan.FromSeconds(30), "the running job stops");
        var row = await AdminRowAsync(admin, user);
        Assert.Equal(0, row.Reserved);
        Assert.True(row.Balance < 100 && row.Balance > 0, $"balance {row.Balance}");

        // Lifted: the password works again, the tokens from before stay refused.
        await admin.Client.PatchAsJsonAsync($"/api/v1/admin/users/{user.Id}", new { suspended = false });
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = user.Password })).StatusCode);
        await ProblemAssert.ReadAsync(await user.Client.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthorized");

        var audit = await ApiChecks.AllAsync<AuditBody>(admin.Client, "/api/v1/admin/audit");
        Assert.Equal(["user.update", "user.update"], audit.Select(a => a.Action));
        Assert.Contains("\"suspended\":true", audit[1].After);
        Assert.Contains("\"suspended\":false", audit[0].After);
    }

    private static async Task<AdminUserBody> AdminRowAsync(TestUser admin, TestUser user) =>
        (await admin.Client.GetFromJsonAsync<AdminUserBody>($"/api/v1/admin/users/{user.Id}", Json.Options))!;

    /// <summary>The hub's negotiate call, authenticated the way browsers do it (the token in the query).</summary>
    private static async Task<HttpResponseMessage> Negotiate(PingvasServer server, string token)
    {
        using var client = server.CreateClient();
        return await client.PostAsync($"/hubs/progress/negotiate?negotiateVersion=1&access_token={Uri.EscapeDataString(token)}", null);
    }
}
