using Pingvas.Server.Telemetry;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Telemetry;

/// <summary>
/// The production topology (an api and a worker process on PostgreSQL) exporting over OTLP/HTTP to a
/// loopback receiver, configured only by the standard OTEL_* variables: the job's trace starts in
/// the api's request, and the worker's spans continue it from the context stored with the job.
/// </summary>
[Collection(ProcessTests.Collection)]
public sealed class TracingAcrossProcessesTests
{
    [Fact]
    public async Task One_trace_id_spans_the_api_and_the_worker_process()
    {
        await using var receiver = await TracingOtlpReceiver.StartAsync();
        await using var cluster = await PingvasCluster.StartAsync(apis: 1, workers: 1, new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.BaseUrl,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            // Export every 200 ms instead of every 5 s, so the test waits for spans, not for the batch timer.
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });
        var api = cluster.Apis[0];
        var user = await cluster.RegisterAsync(api);
        var job = await user.SubmitAsync(api, TestUser.Request(steps: 4, seed: 21));
        var done = await user.WaitForTerminalAsync(api, job.Id, ProcessTests.Bounded, cluster.Describe);
        Assert.Equal("succeeded", done.Status);

        var jobId = job.Id.ToString();
        OtlpSpan? Find(string name, string service) => receiver.Spans.FirstOrDefault(s => s.Name == name && s.Service == service && s.Attributes.GetValueOrDefault("pingvas.job.id") == jobId);
        await Eventually.UntilAsync(() => Task.FromResult(Find(JobActivities.Submit, "pingvas-api") is not null && Find(JobActivities.Run, "pingvas-worker") is not null),
            ProcessTests.Bounded, "the api's submit span and the worker's run span (it ends last) to be exported");

        var submit = Find(JobActivities.Submit, "pingvas-api")!;
        var trace = receiver.Spans.Where(s => s.TraceId == submit.TraceId).ToList();
        var describe = string.Join("\n", trace.Select(s => $"{s.Service} {s.Name} {s.SpanId} <- {s.ParentSpanId}"));
        var request = Assert.Single(trace, s => s.SpanId == submit.ParentSpanId);
        Assert.True(request.Service == "pingvas-api" && request.ParentSpanId == "" && request.Name == "POST /api/v1/generations", describe);

        var worker = trace.Where(s => s.Service == "pingvas-worker").ToList();
        var wait = Assert.Single(worker, s => s.Name == JobActivities.QueueWait);
        var claim = Assert.Single(worker, s => s.Name == JobActivities.Claim);
        var run = Assert.Single(worker, s => s.Name == JobActivities.Run);
        Assert.All(new[] { wait, claim, run }, s => Assert.Equal(submit.SpanId, s.ParentSpanId));
        Assert.Equal(run.SpanId, Assert.Single(worker, s => s.Name == JobActivities.Settle).ParentSpanId);
        Assert.Equal("procedural", run.Attributes.GetValueOrDefault("pingvas.engine"));
        Assert.Empty(receiver.Refusals);
    }
}
