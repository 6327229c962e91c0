using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Engines.Procedural;
using Pingvas.Server.Queue;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Workers;

namespace Pingvas.Server.Tests.Workers;

/// <summary>
/// The registry rows a serve process writes for its workers: at start (before it serves), on claim
/// and finish, by heartbeat, and gone on a clean stop; stale rows drop out of every decision and
/// are purged after an hour. On SQLite or PostgreSQL per <c>PINGVAS_TEST_DATABASE</c>.
/// </summary>
public sealed class WorkerRegistryTests
{
    private static readonly string[] ProceduralModels = [.. ProceduralEngineOptions.DefaultModels.Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Rows_are_there_when_the_server_starts_serving_and_gone_after_a_clean_stop()
    {
        var server = await PingvasServer.StartAsync(new TestSettings { WorkerConcurrency = 2 });
        await using (server)
        {
            // No waiting: registration happens in the pool's StartAsync, before the server listens.
            var rows = await WorkerRows.AllAsync(server);
            Assert.Equal([WorkerNames.For(1), WorkerNames.For(2)], rows.Select(r => r.Id));
            Assert.All(rows, row =>
            {
                Assert.Equal(WorkerNames.Process, row.Process);
                Assert.Equal("serve", row.Role);
                Assert.Equal("procedural", row.Engine);
                Assert.Equal("procedural", row.Instance);
                Assert.Equal("cpu", row.GpuClass);
                Assert.Equal(ProceduralModels, WorkerModels.Split(row.Models));
                Assert.Equal(WorkerStates.Idle, row.State);
                Assert.Null(row.LoadedModel);
                Assert.Null(row.CurrentJobId);
                Assert.Equal(0, row.JobsDone);
            });

            await server.StopAsync();
            await using var db = server.Database.Open(server.DataPath);
            Assert.Empty(await db.Workers.ToListAsync());
        }
    }

    [Fact]
    public async Task A_claim_makes_the_worker_busy_with_its_model_and_the_finish_idle_with_jobs_done_and_busy_time()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings(), configureServices: ScriptedEngine.Install);
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "pro");
        var worker = WorkerNames.For(1);

        // "hang:" runs until cancelled, so the busy state can be seen for sure.
        var job = await user.SubmitAsync(TestUser.Request(prompt: "hang: a lighthouse", model: "sdxl-1.0", steps: 4));
        var busy = await WorkerRows.WaitForAsync(server, worker, r => r.State == WorkerStates.Busy, "the claim marks the worker busy");
        Assert.Equal(job.Id, busy.CurrentJobId);
        Assert.Equal("sdxl-1.0", busy.LoadedModel);
        Assert.Equal(0, busy.JobsDone);

        Assert.Equal(HttpStatusCode.OK, (await user.Client.PostAsync($"/api/v1/generations/{job.Id}/cancel", null)).StatusCode);
        var idle = await WorkerRows.WaitForAsync(server, worker, r => r.State == WorkerStates.Idle && r.JobsDone == 1, "the finish marks the worker idle");
        Assert.Null(idle.CurrentJobId);
        Assert.Equal("sdxl-1.0", idle.LoadedModel);
        Assert.True(idle.BusyMs > 0, $"busy_ms {idle.BusyMs}");

        // A second job adds to both counters; the loaded model follows the last job.
        var second = await user.SubmitAsync(TestUser.Request(model: "sd-1.5", steps: 2));
        Assert.Equal("succeeded", (await user.WaitForAsync(second.Id)).Status);
        var after = await WorkerRows.WaitForAsync(server, worker, r => r.JobsDone == 2, "the second finish is counted");
        Assert.Equal("sd-1.5", after.LoadedModel);
        Assert.True(after.BusyMs >= idle.BusyMs);
    }

    [Fact]
    public async Task The_heartbeat_keeps_rows_fresh_as_time_passes()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings()
            .With("Workers:HeartbeatSeconds", "1").With("Workers:AvailabilityCacheMilliseconds", "0"));
        var worker = WorkerNames.For(1);
        var first = await WorkerRows.OneAsync(server, worker);

        // Past the stale time on the server's clock: only the heartbeat can keep the row in.
        server.Time.Advance(TimeSpan.FromSeconds(45));
        var stamped = await WorkerRows.WaitForAsync(server, worker, r => r.HeartbeatAt >= first.HeartbeatAt.AddSeconds(45), "the heartbeat stamps the row with the new time");
        Assert.Equal(first.StartedAt, stamped.StartedAt);
        var user = await server.RegisterAsync();
        Assert.Equal("succeeded", (await user.WaitForAsync((await user.SubmitAsync()).Id)).Status);
    }

    [Fact]
    public async Task A_stale_row_drops_out_of_model_availability_and_is_purged_after_an_hour()
    {
        // No heartbeat or refresh during the test: the row ages with the clock alone.
        await using var server = await PingvasServer.StartAsync(new TestSettings()
            .With("Workers:HeartbeatSeconds", "3600").With("Workers:RefreshSeconds", "3600").With("Workers:AvailabilityCacheMilliseconds", "0"));
        var user = await server.RegisterAsync();
        Assert.True((await ModelAsync(user, "sd-1.5")).Available);

        server.Time.Advance(TimeSpan.FromSeconds(31));
        var model = await ModelAsync(user, "sd-1.5");
        Assert.False(model.Available);
        Assert.Null(model.Engine);
        var refused = await user.Client.PostAsJsonAsync("/api/v1/generations", TestUser.Request());
        await ProblemAssert.ReadAsync(refused, HttpStatusCode.UnprocessableEntity, "model_unavailable");

        // Stale is not gone: the purge leaves it until it has been silent for an hour.
        var purge = server.Services.GetRequiredService<StaleWorkerPurge>();
        Assert.Equal(0, await purge.RunOnceAsync(CancellationToken.None));
        server.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await purge.RunOnceAsync(CancellationToken.None));
        Assert.Empty(await WorkerRows.AllAsync(server));
    }

    [Fact]
    public async Task The_procedural_engine_steps_aside_for_models_a_live_gpu_worker_serves()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings().With("Workers:RefreshSeconds", "1"));
        var registry = server.Services.GetRequiredService<WorkerRegistry>();
        var local = WorkerNames.For(1);
        var gpu = new WorkerRow
        {
            Id = "gpu-host:7:0000beef:1",
            Process = "gpu-host:7:0000beef",
            Role = "worker",
            Engine = "invokeai",
            Instance = "10.0.0.7:9090",
            GpuClass = "a10g",
            Models = "sd-1.5",
            State = WorkerStates.Idle,
            StartedAt = server.Time.GetUtcNow().UtcDateTime,
        };
        await registry.SaveAsync([gpu], CancellationToken.None);

        var aside = await WorkerRows.WaitForAsync(server, local, r => !WorkerModels.Split(r.Models).Contains("sd-1.5"), "the next refresh drops the GPU worker's model");
        Assert.Equal(ProceduralModels.Where(m => m != "sd-1.5"), WorkerModels.Split(aside.Models));
        var user = await server.RegisterAsync();
        Assert.Equal("invokeai", (await ModelAsync(user, "sd-1.5")).Engine);
        Assert.Equal("procedural", (await ModelAsync(user, "sdxl-1.0")).Engine);

        // The GPU worker gone (a clean stop), the procedural engine takes its model back.
        await registry.RemoveProcessAsync(gpu.Process, CancellationToken.None);
        await WorkerRows.WaitForAsync(server, local, r => WorkerModels.Split(r.Models).Contains("sd-1.5"), "the next refresh serves the model again");
    }

    private static async Task<ModelBody> ModelAsync(TestUser user, string id) =>
        (await user.Client.GetFromJsonAsync<List<ModelBody>>("/api/v1/models", Json.Options))!.Single(m => m.Id == id);
}
