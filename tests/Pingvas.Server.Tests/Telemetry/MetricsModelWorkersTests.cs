using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Telemetry;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Workers;

namespace Pingvas.Server.Tests.Telemetry;

/// <summary>
/// <c>pingvas_model_workers{model}</c> and <c>pingvas_model_scalable{model}</c>, what the
/// NoWorkerForWaitingJobs alert joins with the queue: counted from the worker registry as a scrape
/// of /metrics shows them, on SQLite or PostgreSQL per <c>PINGVAS_TEST_DATABASE</c>.
/// </summary>
public sealed class MetricsModelWorkersTests
{
    [Fact]
    public async Task Each_enabled_model_reports_its_fresh_idle_or_busy_workers_and_whether_a_class_scaled_to_zero_wakes_for_it()
    {
        // No in-process workers: the registry holds exactly the rows written below.
        await using var server = await PingvasServer.StartAsync(
            new TestSettings().With("Workers:ScaledModels:flux-dev", "invokeai"), configureServices: RemoteWorker.RemovePool);
        var registry = server.Services.GetRequiredService<WorkerRegistry>();

        // Listed flux-dev, then went silent past Workers:StaleSeconds (30 s): not live.
        await registry.SaveAsync([Row("gone:1:0000dead", 1, "a10g", "flux-dev", WorkerStates.Idle)], CancellationToken.None);
        server.Time.Advance(TimeSpan.FromSeconds(31));

        var draining = Row("l4-host:2:0000bbbb", 1, "l4", "flux-schnell,sd-1.5", WorkerStates.Stopping);
        await registry.SaveAsync(
        [
            Row("a10g-host:1:0000aaaa", 1, "a10g", "sd-1.5,sdxl-1.0", WorkerStates.Idle),
            Row("a10g-host:1:0000aaaa", 2, "a10g", "sd-1.5", WorkerStates.Busy),
            draining,
            Row("l4-host:2:0000bbbb", 2, "l4", "flux-schnell", WorkerStates.Unhealthy),
            Row("relay-host:3:0000cccc", 1, GpuClasses.Relay, "nano-banana,not-in-the-catalogue", WorkerStates.Idle),
        ], CancellationToken.None);

        using var client = server.CreateClient();
        var text = await client.GetStringAsync("/metrics");
        Assert.Contains("pingvas_model_workers{model=\"sd-1.5\"} 2\n", text);
        Assert.Contains("pingvas_model_workers{model=\"sdxl-1.0\"} 1\n", text);
        Assert.Contains("pingvas_model_workers{model=\"nano-banana\"} 1\n", text);
        // Draining and unhealthy workers claim nothing; the stale one is gone; nobody lists stability-sd3.
        Assert.Contains("pingvas_model_workers{model=\"flux-schnell\"} 0\n", text);
        Assert.Contains("pingvas_model_workers{model=\"flux-dev\"} 0\n", text);
        Assert.Contains("pingvas_model_workers{model=\"stability-sd3\"} 0\n", text);
        // Labels stay the catalogue's: a model only a worker names is not reported.
        Assert.DoesNotContain("not-in-the-catalogue", text);

        Assert.Contains("pingvas_model_scalable{model=\"flux-dev\"} 1\n", text);
        Assert.Contains("pingvas_model_scalable{model=\"sd-1.5\"} 0\n", text);
        Assert.Contains("pingvas_model_scalable{model=\"flux-schnell\"} 0\n", text);
        Assert.Equal(
            text.Split('\n').Count(l => l.StartsWith("pingvas_model_workers{", StringComparison.Ordinal)),
            text.Split('\n').Count(l => l.StartsWith("pingvas_model_scalable{", StringComparison.Ordinal)));

        // The draining worker serves again: counted once the snapshot is older than its cache.
        draining.State = WorkerStates.Idle;
        await registry.SaveAsync([draining], CancellationToken.None);
        server.Time.Advance(FleetGauges.MaxAge);
        text = await client.GetStringAsync("/metrics");
        Assert.Contains("pingvas_model_workers{model=\"flux-schnell\"} 1\n", text);
        Assert.Contains("pingvas_model_workers{model=\"sd-1.5\"} 3\n", text);
    }

    private static WorkerRow Row(string process, int loop, string gpuClass, string models, string state) => new()
    {
        Id = $"{process}:{loop}",
        Process = process,
        Role = "worker",
        Engine = gpuClass == GpuClasses.Relay ? "relay" : "invokeai",
        Instance = gpuClass == GpuClasses.Relay ? "relay" : "127.0.0.1:9090",
        GpuClass = gpuClass,
        Models = models,
        State = state,
        StartedAt = DateTime.UtcNow,
    };
}
