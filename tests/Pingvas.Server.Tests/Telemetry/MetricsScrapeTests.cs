using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Telemetry;

/// <summary>
/// Issue 14's "verified by a real Prometheus scrape": Debian's Prometheus scrapes running servers
/// every second, and its HTTP API must hold every <c>required: true</c> series of
/// deploy/monitoring/metrics.yaml for each role, with the values a generation leaves behind.
/// </summary>
[Collection(ProcessTests.Collection)]
public sealed class MetricsScrapeTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Prometheus_scrapes_every_required_series_of_serve_after_a_generation()
    {
        await using var server = await PingvasServer.StartAsync();
        var user = await server.RegisterAsync();
        var job = await user.SubmitAsync(TestUser.Request(seed: 1401));
        Assert.Equal("succeeded", (await user.WaitForAsync(job.Id)).Status);

        await using var prometheus = await PrometheusServer.StartAsync(new Dictionary<string, Uri> { ["serve"] = server.BaseAddress });
        await AssertRequiredSeriesAsync(prometheus, "serve");

        Assert.True(await ValueAsync(prometheus, "sum(pingvas_jobs_finished_total{job=\"serve\",outcome=\"succeeded\",plan=\"free\",model=\"sd-1.5\"})") >= 1);
        Assert.True(await ValueAsync(prometheus, "sum(http_server_request_duration_seconds_count{job=\"serve\",http_route=~\"/api/v1/generations/?\",http_request_method=\"POST\",http_response_status_code=\"202\"})") >= 1);
        Assert.True(await ValueAsync(prometheus, "sum(pingvas_queue_wait_seconds_count{job=\"serve\",plan=\"free\"})") >= 1);
        Assert.True(await ValueAsync(prometheus, "sum(pingvas_gpu_seconds_total{job=\"serve\",model=\"sd-1.5\"})") > 0);
        Assert.True(await ValueAsync(prometheus, "sum(pingvas_credits_charged_total{job=\"serve\",plan=\"free\"})") >= 1);
        Assert.Equal(1, await ValueAsync(prometheus, "pingvas_build_info{job=\"serve\",role=\"serve\"}"));
        Assert.Equal(1, await ValueAsync(prometheus, "pingvas_event_listener_up{job=\"serve\"}"));
        Assert.Equal(0, await ValueAsync(prometheus, "sum(pingvas_ledger_anomalies{job=\"serve\"})"));
        Assert.Equal(3, (await prometheus.QueryAsync("pingvas_ledger_anomalies{job=\"serve\"}")).Count);
        Assert.True(await ValueAsync(prometheus, "sum(pingvas_workers{job=\"serve\",gpu_class=\"cpu\"})") >= 1);
        // The in-process procedural workers serve sd-1.5; no class scaled to zero is configured.
        Assert.True(await ValueAsync(prometheus, "pingvas_model_workers{job=\"serve\",model=\"sd-1.5\"}") >= 1);
        Assert.Equal(0, await ValueAsync(prometheus, "pingvas_model_scalable{job=\"serve\",model=\"sd-1.5\"}"));
    }

    [Fact]
    public async Task Prometheus_scrapes_every_required_series_of_api_and_worker_processes_on_postgres()
    {
        // Slow steps: the owner's second job (Free runs one at a time) still waits when it is cancelled.
        await using var cluster = await PingvasCluster.StartAsync(apis: 1, workers: 1, new TestSettings { StepDelayMs = 150 });
        var (api, worker) = (cluster.Apis[0], cluster.Workers[0]);
        var user = await cluster.RegisterAsync(api);
        var first = await user.SubmitAsync(api, TestUser.Request(steps: 8, seed: 1402));
        var second = await user.SubmitAsync(api, TestUser.Request(steps: 8, seed: 1403));
        using (var client = api.CreateClient(user.AccessToken))
        {
            (await client.PostAsync($"/api/v1/generations/{second.Id}/cancel", null)).EnsureSuccessStatusCode();
        }

        Assert.Equal("cancelled", (await user.WaitForTerminalAsync(api, second.Id, Bounded, cluster.Describe)).Status);
        Assert.Equal("succeeded", (await user.WaitForTerminalAsync(api, first.Id, Bounded, cluster.Describe)).Status);

        await using var prometheus = await PrometheusServer.StartAsync(new Dictionary<string, Uri> { ["api"] = api.BaseAddress, ["worker"] = worker.BaseAddress });
        await AssertRequiredSeriesAsync(prometheus, "api");
        await AssertRequiredSeriesAsync(prometheus, "worker");

        // Settled by the worker process, cancelled by the api process: each counts its own.
        Assert.True(await ValueAsync(prometheus, "sum(pingvas_jobs_finished_total{job=\"worker\",outcome=\"succeeded\"})") >= 1);
        Assert.True(await ValueAsync(prometheus, "sum(pingvas_jobs_finished_total{job=\"api\",outcome=\"cancelled\"})") >= 1);
        Assert.True(await ValueAsync(prometheus, "sum(http_server_request_duration_seconds_count{job=\"api\",http_route=~\"/api/v1/generations/?\",http_request_method=\"POST\"})") >= 2);
        Assert.Equal(1, await ValueAsync(prometheus, "pingvas_event_listener_up{job=\"worker\"}"));
        Assert.Equal(1, await ValueAsync(prometheus, "pingvas_event_listener_up{job=\"api\"}"));
        Assert.Equal(1, await ValueAsync(prometheus, "pingvas_build_info{job=\"worker\",role=\"worker\"}"));
        // The fleet gauges come from api processes only: a worker reports its own work, not the fleet's.
        Assert.Empty(await prometheus.QueryAsync("pingvas_queue_depth{job=\"worker\"}"));
        Assert.Equal(0, await ValueAsync(prometheus, "sum(pingvas_ledger_anomalies{job=\"api\"})"));
    }

    /// <summary>Polls Prometheus until it holds every required series of the role's catalogue entries; fails naming the missing ones.</summary>
    private static async Task AssertRequiredSeriesAsync(PrometheusServer prometheus, string role)
    {
        var expected = MetricsCatalogue.Load().Where(m => m.Required && m.Roles.Contains(role)).Select(SeriesName).ToList();
        Assert.NotEmpty(expected);
        IReadOnlyList<string> missing = expected;
        var deadline = DateTime.UtcNow + Bounded;
        while (DateTime.UtcNow < deadline)
        {
            var present = await prometheus.SeriesNamesAsync(role);
            missing = expected.Where(name => !present.Contains(name)).ToList();
            if (missing.Count == 0)
            {
                return;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"Prometheus has no {role} series for {string.Join(", ", missing)}.\nTargets: {await prometheus.TargetsAsync()}");
    }

    /// <summary>The series a catalogue entry stands for: a histogram's <c>_count</c>, anything else its own name.</summary>
    private static string SeriesName(CatalogueMetric metric) => metric.Type == "histogram" ? metric.Name + "_count" : metric.Name;

    private static async Task<double> ValueAsync(PrometheusServer prometheus, string query)
    {
        var result = await prometheus.QueryAsync(query);
        Assert.True(result.Count == 1, $"{query}: {result.Count} samples; by route: {string.Join(", ", (await prometheus.QueryAsync("count by (job, http_route, http_request_method) (http_server_request_duration_seconds_count)")).Select(r => string.Join("/", r.Labels.Values)))}");
        return result[0].Value;
    }
}
