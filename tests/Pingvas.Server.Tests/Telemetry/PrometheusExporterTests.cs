using System.Diagnostics.Metrics;

using Pingvas.Server.Telemetry;

namespace Pingvas.Server.Tests.Telemetry;

/// <summary>The exporter's text format on a meter of the test's own (no server): what Prometheus parses.</summary>
public sealed class PrometheusExporterTests : IDisposable
{
    private readonly Meter meter = new("Pingvas.Tests." + Guid.NewGuid().ToString("N"));
    private readonly PrometheusExporter exporter;

    public PrometheusExporterTests()
    {
        exporter = new PrometheusExporter(m => m == meter, maxSeries: 3);
    }

    public void Dispose()
    {
        exporter.Dispose();
        meter.Dispose();
    }

    [Fact]
    public void A_histogram_renders_cumulative_buckets_with_its_advised_bounds_plus_inf_sum_and_count()
    {
        var wait = meter.CreateHistogram("pingvas_queue_wait_seconds", "s", "Time waited.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 5] });
        var tag = new KeyValuePair<string, object?>("plan", "pro");
        foreach (var value in new[] { 0.25, 0.5, 0.75, 3, 60 })
        {
            wait.Record(value, tag);
        }

        var text = exporter.Scrape();
        Assert.Contains("# HELP pingvas_queue_wait_seconds Time waited.\n# TYPE pingvas_queue_wait_seconds histogram\n", text);
        Assert.Contains("""
            pingvas_queue_wait_seconds_bucket{plan="pro",le="0.5"} 2
            pingvas_queue_wait_seconds_bucket{plan="pro",le="1"} 3
            pingvas_queue_wait_seconds_bucket{plan="pro",le="5"} 4
            pingvas_queue_wait_seconds_bucket{plan="pro",le="+Inf"} 5
            pingvas_queue_wait_seconds_sum{plan="pro"} 64.5
            pingvas_queue_wait_seconds_count{plan="pro"} 5

            """.ReplaceLineEndings("\n"), text);
    }

    [Fact]
    public void Counters_get_total_and_sum_per_label_set_sorted_by_label_name()
    {
        var jobs = meter.CreateCounter<long>("pingvas_jobs_finished", null, "Jobs.");
        jobs.Add(1, new("plan", "free"), new("outcome", "succeeded"));
        jobs.Add(2, new("outcome", "succeeded"), new("plan", "free"));
        jobs.Add(1, new("outcome", "failed"), new("plan", "free"));

        var text = exporter.Scrape();
        Assert.Contains("# TYPE pingvas_jobs_finished_total counter\n", text);
        Assert.Contains("pingvas_jobs_finished_total{outcome=\"succeeded\",plan=\"free\"} 3\n", text);
        Assert.Contains("pingvas_jobs_finished_total{outcome=\"failed\",plan=\"free\"} 1\n", text);
    }

    [Fact]
    public void Names_and_units_follow_the_OpenTelemetry_conventions_and_label_values_are_escaped()
    {
        var duration = meter.CreateHistogram<double>("http.server.request.duration", "s", "Duration \\ of \"requests\"\nin seconds.");
        duration.Record(0.1, new KeyValuePair<string, object?>("http.route", "/a\"b\\c\nd"), new("http.response.status_code", 200));
        meter.CreateUpDownCounter<long>("http.server.active_requests", "{request}").Add(2);

        var text = exporter.Scrape();
        Assert.Contains("# HELP http_server_request_duration_seconds Duration \\\\ of \"requests\"\\nin seconds.\n", text);
        Assert.Contains("http_server_request_duration_seconds_count{http_response_status_code=\"200\",http_route=\"/a\\\"b\\\\c\\nd\"} 1\n", text);
        // No advice: OpenTelemetry's default bounds.
        Assert.Contains("http_server_request_duration_seconds_bucket{http_response_status_code=\"200\",http_route=\"/a\\\"b\\\\c\\nd\",le=\"7500\"} 1\n", text);
        Assert.Contains("# TYPE http_server_active_requests gauge\nhttp_server_active_requests 2\n", text);
    }

    [Fact]
    public void Observable_gauges_report_only_what_their_callback_says_at_each_scrape()
    {
        var models = new List<string> { "sd-1.5", "sdxl-1.0" };
        meter.CreateObservableGauge("pingvas_jobs_running", () => models.Select(m => new Measurement<int>(1, new KeyValuePair<string, object?>("model", m))));

        Assert.Contains("pingvas_jobs_running{model=\"sdxl-1.0\"} 1\n", exporter.Scrape());
        models.Remove("sdxl-1.0");
        var text = exporter.Scrape();
        Assert.Contains("pingvas_jobs_running{model=\"sd-1.5\"} 1\n", text);
        Assert.DoesNotContain("sdxl-1.0", text);
    }

    [Fact]
    public void Series_past_the_cap_are_dropped_and_counted()
    {
        var loads = meter.CreateCounter<long>("pingvas_model_loads");
        for (var i = 0; i < 5; i++)
        {
            loads.Add(1, new KeyValuePair<string, object?>("model", $"m{i}"));
        }

        var text = exporter.Scrape();
        Assert.Equal(3, text.Split('\n').Count(l => l.StartsWith("pingvas_model_loads_total{", StringComparison.Ordinal)));
        Assert.Contains("pingvas_metrics_dropped_series_total{metric=\"pingvas_model_loads_total\"} 2\n", text);
    }

    [Fact]
    public void Instruments_of_other_meters_are_not_listened_to()
    {
        using var other = new Meter("Pingvas.Tests.Other." + Guid.NewGuid().ToString("N"));
        var counter = other.CreateCounter<long>("pingvas_other");
        counter.Add(1);
        Assert.False(counter.Enabled);
        Assert.DoesNotContain("pingvas_other", exporter.Scrape());
    }

    [Theory]
    [InlineData("http.server.request.duration", "s", false, "http_server_request_duration_seconds")]
    [InlineData("pingvas_queue_wait_seconds", "s", false, "pingvas_queue_wait_seconds")]
    [InlineData("kestrel.queued_connections", "{connection}", false, "kestrel_queued_connections")]
    [InlineData("process.memory-usage", "By", false, "process_memory_usage_bytes")]
    [InlineData("pingvas_emails", null, true, "pingvas_emails_total")]
    [InlineData("9lives..x", null, true, "_9lives_x_total")]
    public void Metric_names_are_sanitised_with_unit_and_counter_suffixes(string name, string? unit, bool counter, string expected) =>
        Assert.Equal(expected, PrometheusText.MetricName(name, unit, counter));
}
