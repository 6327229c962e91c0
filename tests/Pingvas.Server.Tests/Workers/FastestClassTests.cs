using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Data;

using Pingvas.Server.Jobs;
using Pingvas.Server.Queue;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Workers;

namespace Pingvas.Server.Tests.Workers;

/// <summary>
/// "When several free GPU classes fit, the fastest takes the job": a claim leaves a fresh job to an
/// idle worker of a faster class that the registry shows serving its model, and takes it itself
/// once that worker is busy. The grace running out is covered by ClaimPolicyTests and ClaimOrderTests.
/// </summary>
public sealed class FastestClassTests
{
    private const string Fast = "gpu-host:7:00000000:1";

    [Fact]
    public async Task A_fresh_job_goes_to_the_idle_faster_worker_and_to_the_slower_one_once_that_is_busy()
    {
        await using var server = await PingvasServer.StartAsync(
            new TestSettings().With("Queue:FasterWorkerGraceSeconds", "60").With("Workers:IdleFleetCacheMilliseconds", "0"),
            configureServices: RemoteWorker.ReplacePool);
        var registry = server.Services.GetRequiredService<WorkerRegistry>();
        var fleet = server.Services.GetRequiredService<IdleFleet>();
        await registry.SaveAsync([FastRow(WorkerStates.Idle)], CancellationToken.None);
        var user = await server.RegisterAsync();
        var first = await user.SubmitAsync(TestUser.Request(model: "sd-1.5"));

        var slow = RemoteWorker.Profile(RemoteWorker.Process + ":1");
        var slowView = slow with { FasterIdle = await fleet.FasterIdleAsync(slow.WorkerId, slow.GpuClass, CancellationToken.None) };
        Assert.Equal(["sd-1.5"], slowView.FasterIdle!.Order());
        Assert.Null(await ClaimAsync(server, slowView));

        // The A100 sees no faster idle worker (the cpu one is slower) and takes it.
        var fast = new WorkerProfile(Fast, "a100", ["sd-1.5"], null);
        Assert.Empty(await fleet.FasterIdleAsync(fast.WorkerId, fast.GpuClass, CancellationToken.None));
        Assert.Equal(first.Id, (await ClaimAsync(server, fast))?.Id);

        // Busy now: the next fresh job is the slower worker's at once.
        await registry.SaveAsync([FastRow(WorkerStates.Busy)], CancellationToken.None);
        await FinishAsync(server, first.Id);
        var second = await user.SubmitAsync(TestUser.Request(model: "sd-1.5"));
        slowView = slow with { FasterIdle = await fleet.FasterIdleAsync(slow.WorkerId, slow.GpuClass, CancellationToken.None) };
        Assert.Empty(slowView.FasterIdle!);
        Assert.Equal(second.Id, (await ClaimAsync(server, slowView))?.Id);
    }

    [Fact]
    public async Task Only_faster_classes_idle_and_fresh_rows_count_and_relay_is_never_compared()
    {
        await using var server = await PingvasServer.StartAsync(
            new TestSettings().With("Workers:IdleFleetCacheMilliseconds", "0").With("Workers:GpuSpeeds:l40s", "1.8"),
            configureServices: RemoteWorker.ReplacePool);
        var registry = server.Services.GetRequiredService<WorkerRegistry>();
        var fleet = server.Services.GetRequiredService<IdleFleet>();
        await registry.SaveAsync(
        [
            FastRow(WorkerStates.Idle, "a:1", "l40s", "sdxl-1.0"),
            FastRow(WorkerStates.Unhealthy, "b:1", "h100", "flux-dev"),
            FastRow(WorkerStates.Idle, "c:1", "t4", "sd-1.5"),
        ], CancellationToken.None);

        Assert.Equal(["sdxl-1.0"], (await fleet.FasterIdleAsync("me:1", "a10g", CancellationToken.None)).Order());
        Assert.Empty(await fleet.FasterIdleAsync("me:1", "h100", CancellationToken.None));
        Assert.Empty(await fleet.FasterIdleAsync("me:1", GpuClasses.Relay, CancellationToken.None));
        // A worker is not faster than itself.
        Assert.Empty(await fleet.FasterIdleAsync("a:1", "a10g", CancellationToken.None));

        // A row whose heartbeat went stale no longer counts.
        await server.QueryAsync(db => db.Workers.Where(w => w.Id == "a:1").ExecuteUpdateAsync(s => s.SetProperty(w => w.HeartbeatAt, w => w.HeartbeatAt.AddHours(-1))));
        Assert.Empty(await fleet.FasterIdleAsync("me:1", "a10g", CancellationToken.None));
    }

    private static WorkerRow FastRow(string state, string id = Fast, string gpuClass = "a100", string models = "sd-1.5") => new()
    {
        Id = id,
        Process = id[..id.LastIndexOf(':')],
        Role = "worker",
        Engine = "invokeai",
        Instance = "http://gpu-host:9090",
        GpuClass = gpuClass,
        Models = models,
        State = state,
        StartedAt = DateTime.UtcNow,
    };

    private static async Task<Job?> ClaimAsync(PingvasServer server, WorkerProfile worker)
    {
        await using var scope = server.Services.CreateSystemScope();
        return await scope.ServiceProvider.GetRequiredService<JobLifecycle>().ClaimAsync(worker, CancellationToken.None);
    }

    private static Task FinishAsync(PingvasServer server, Guid jobId) =>
        server.QueryAsync(db => db.Jobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Succeeded)));
}
