using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Admin;

public sealed record PlanCountBody(string Plan, int Users);

public sealed record DayCountBody(string Day, int Jobs, int Succeeded, int Failed, int CreditsCharged);

public sealed record PlanQueueBody(string Plan, int Queued, int Running, double OldestWaitSeconds);

public sealed record AdminStatsBody(List<PlanCountBody> UsersByPlan, int TotalUsers, List<DayCountBody> Days, List<PlanQueueBody> Queue, DateTime GeneratedAt);

/// <summary><c>GET /admin/stats</c>: users by plan, jobs and credits per day for 30 days, the queue per plan now.</summary>
public sealed class AdminStatsTests
{
    [Fact]
    public async Task Stats_count_users_by_plan_jobs_and_credits_per_day_and_the_waiting_queue()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings { StepDelayMs = 300 });
        var admin = await AdminKit.AdminAsync(server);
        var free = await server.RegisterAsync();
        var pro = await server.RegisterAsync();
        await server.SetPlanAsync(pro.Id, "pro");

        var done = await free.GenerateAsync(TestUser.Request(steps: 2));
        var running = await free.SubmitAsync(TestUser.Request(steps: 100));
        var waiting = await free.SubmitAsync(TestUser.Request(steps: 2));
        await free.WaitForAsync(running.Id, "running");

        var stats = (await admin.Client.GetFromJsonAsync<AdminStatsBody>("/api/v1/admin/stats", Json.Options))!;
        Assert.Equal(3, stats.TotalUsers);
        Assert.Equal([("pro", 1), ("free", 2)], stats.UsersByPlan.Select(p => (p.Plan, p.Users)));

        Assert.Equal(30, stats.Days.Count);
        var today = stats.Days[^1];
        Assert.Equal(server.Time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd"), today.Day);
        Assert.Equal((3, 1, 0, done.CreditsCharged!.Value), (today.Jobs, today.Succeeded, today.Failed, today.CreditsCharged));
        Assert.All(stats.Days.SkipLast(1), d => Assert.Equal(0, d.Jobs));

        Assert.Equal(["enterprise", "studio", "pro", "starter", "free"], stats.Queue.Select(q => q.Plan));
        var freeQueue = stats.Queue.Single(q => q.Plan == "free");
        Assert.Equal((1, 1), (freeQueue.Queued, freeQueue.Running));
        Assert.True(freeQueue.OldestWaitSeconds >= 0);
        Assert.All(stats.Queue.Where(q => q.Plan != "free"), q => Assert.Equal((0, 0, 0.0), (q.Queued, q.Running, q.OldestWaitSeconds)));

        await free.Client.PostAsync($"/api/v1/generations/{waiting.Id}/cancel", null);
        await free.Client.PostAsync($"/api/v1/generations/{running.Id}/cancel", null);
        await server.WaitUntilIdleAsync();
    }
}
