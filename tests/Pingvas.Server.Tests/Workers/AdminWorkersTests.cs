using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Accounts;
using Pingvas.Server.Queue;
using Pingvas.Server.Tests.Admin;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Workers;

namespace Pingvas.Server.Tests.Workers;

/// <summary><c>GET /api/v1/admin/workers</c>: admins (signed in with TOTP) see the live workers; others get 403, anonymous callers 401.</summary>
public sealed class AdminWorkersTests
{
    [Fact]
    public async Task An_admin_sees_the_live_workers_a_user_gets_403_and_anonymous_401()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings { WorkerConcurrency = 2 });
        var admin = await AdminKit.AdminAsync(server);
        var user = await server.RegisterAsync();

        using var anonymous = server.CreateClient();
        await ProblemAssert.ReadAsync(await anonymous.GetAsync("/api/v1/admin/workers"), HttpStatusCode.Unauthorized, "unauthorized");
        await ProblemAssert.ReadAsync(await user.Client.GetAsync("/api/v1/admin/workers"), HttpStatusCode.Forbidden, "forbidden");

        var job = await user.SubmitAsync(TestUser.Request(steps: 2));
        Assert.Equal("succeeded", (await user.WaitForAsync(job.Id)).Status);
        WorkerListBody list = null!;
        await Eventually.UntilAsync(async () =>
        {
            list = (await admin.Client.GetFromJsonAsync<WorkerListBody>("/api/v1/admin/workers", Json.Options))!;
            return list.Items.Sum(w => w.JobsDone) == 1;
        }, TimeSpan.FromSeconds(30), "the finished job shows in the list");

        Assert.Equal([WorkerNames.For(1), WorkerNames.For(2)], list.Items.Select(w => w.Id));
        var ran = list.Items.Single(w => w.JobsDone == 1);
        Assert.Equal(("procedural", "procedural", "cpu", "sd-1.5", WorkerStates.Idle), (ran.Engine, ran.Instance, ran.GpuClass, ran.LoadedModel, ran.State));
        Assert.Equal(WorkerNames.Process, ran.Process);
        Assert.Contains("sd-1.5", ran.Models);
        Assert.Null(ran.CurrentJobId);
        Assert.True(ran.BusyMs > 0);
        Assert.InRange(ran.Utilisation, 0, 1);
        Assert.True(ran.HeartbeatAt >= ran.StartedAt);

        // Revoked: the next request is refused, whatever the token says.
        await WorkerRows.MakeAdminAsync(server, admin.Id, Roles.User);
        await ProblemAssert.ReadAsync(await admin.Client.GetAsync("/api/v1/admin/workers"), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Stale_workers_drop_out_of_the_list()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings()
            .With("Workers:HeartbeatSeconds", "3600").With("Workers:RefreshSeconds", "3600"));
        var admin = await AdminKit.AdminAsync(server);
        Assert.Single((await admin.Client.GetFromJsonAsync<WorkerListBody>("/api/v1/admin/workers", Json.Options))!.Items);

        server.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Empty((await admin.Client.GetFromJsonAsync<WorkerListBody>("/api/v1/admin/workers", Json.Options))!.Items);
        Assert.Single(await WorkerRows.AllAsync(server));
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(30_000, 60, 0.5)]
    [InlineData(90_000, 60, 1)]
    public void Utilisation_is_the_busy_share_of_uptime(long busyMs, int uptimeSeconds, double expected)
    {
        var start = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);
        var row = new WorkerRow
        {
            Id = "w",
            Process = "p",
            Role = "worker",
            Engine = "e",
            Instance = "i",
            GpuClass = "cpu",
            Models = "",
            State = WorkerStates.Idle,
            BusyMs = busyMs,
            StartedAt = start,
            HeartbeatAt = start.AddSeconds(uptimeSeconds),
        };
        Assert.Equal(expected, AdminWorkerEndpoints.Utilisation(row));
    }
}
