using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

using Microsoft.Extensions.DependencyInjection;

using Pingvas.Engines;
using Pingvas.Server.Telemetry;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Testing.InvokeAi;

namespace Pingvas.Server.Tests.Telemetry;

/// <summary>
/// One generation on the InvokeAI engine (against the protocol test node), seen by an in-process
/// ActivityListener on the sources the OTLP export uses: a single trace from the POST's request span
/// through submit, queue wait, claim and run, with the node's HTTP calls under the run and the
/// settlement inside it.
/// </summary>
public sealed class TracingSpanTreeTests : IAsyncLifetime
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(60);

    private readonly ConcurrentQueue<Activity> stopped = new();
    private ActivityListener listener = null!;
    private InvokeAiTestNode node = null!;
    private PingvasServer server = null!;

    public async Task InitializeAsync()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => TracingSetup.Sources.Contains(source.Name),
            // The test's own HttpClient call has no parent: not recording it keeps the server's request span the root.
            Sample = (ref ActivityCreationOptions<ActivityContext> o) =>
                o.Source.Name == "System.Net.Http" && o.Parent == default ? ActivitySamplingResult.None : ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 20 });
        var publicUrl = $"http://127.0.0.1:{FreePort()}";
        server = await PingvasServer.StartAsync(new TestSettings()
            .With("urls", publicUrl)
            .With("App:PublicUrl", publicUrl)
            .With("Engines:InvokeAi:Nodes:0:Url", node.BaseUrl.ToString())
            .With("Engines:InvokeAi:Nodes:0:GpuClass", "a10g")
            .With("Engines:InvokeAi:PollSeconds", "0.2")
            .With("Engines:Procedural:Enabled", "false"));
        var engine = Assert.Single(server.Services.GetServices<IImageEngine>());
        await Eventually.UntilAsync(() => Task.FromResult(engine.CanRun("sd-1.5")), Bounded, "the node's models to be read");
    }

    public async Task DisposeAsync()
    {
        listener.Dispose();
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        if (node is not null)
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task One_generation_is_one_trace_from_the_POST_through_the_node_calls_to_the_settlement()
    {
        const string prompt = "a secret lighthouse prompt that no span may carry";
        var user = await server.RegisterAsync();
        var submitted = await user.SubmitAsync(TestUser.Request(prompt: prompt, steps: 6, seed: 5));
        var done = await user.WaitForAsync(submitted.Id);
        Assert.Equal("succeeded", done.Status);

        var jobId = submitted.Id.ToString();
        // The run span stops when the runner returns, just after the success is visible.
        await Eventually.UntilAsync(() => Task.FromResult(stopped.Any(a => a.OperationName == JobActivities.Run && Tag(a, "pingvas.job.id") == jobId)),
            Bounded, "the run span to stop");

        var submit = Assert.Single(stopped, a => a.OperationName == JobActivities.Submit && Tag(a, "pingvas.job.id") == jobId);
        var trace = stopped.Where(a => a.TraceId == submit.TraceId).ToList();
        var describe = string.Join("\n", trace.Select(a => $"{a.Source.Name} {a.DisplayName} {a.SpanId} <- {a.ParentSpanId}"));

        var request = Assert.Single(trace, a => a.SpanId == submit.ParentSpanId);
        Assert.True(request.Source.Name == "Microsoft.AspNetCore" && request.ParentSpanId == default, describe);
        Assert.True(request.DisplayName == "POST /api/v1/generations" && Tag(request, "http.response.status_code") == "202", describe);

        var wait = Assert.Single(trace, a => a.OperationName == JobActivities.QueueWait);
        var claim = Assert.Single(trace, a => a.OperationName == JobActivities.Claim);
        var run = Assert.Single(trace, a => a.OperationName == JobActivities.Run);
        Assert.All(new[] { wait, claim, run }, a => Assert.Equal(submit.SpanId, a.ParentSpanId));
        var settle = Assert.Single(trace, a => a.OperationName == JobActivities.Settle);
        Assert.Equal(run.SpanId, settle.ParentSpanId);
        Assert.Equal("succeed", Tag(settle, "pingvas.settle.transition"));
        Assert.Equal("a10g", Tag(run, "pingvas.gpu_class"));
        Assert.Equal(jobId, Tag(claim, "pingvas.job.id"));

        // Queue wait from enqueue to the claim, then the claim, the run and the settlement in that order.
        Assert.True(wait.StartTimeUtc <= claim.StartTimeUtc && claim.StartTimeUtc <= run.StartTimeUtc && run.StartTimeUtc <= settle.StartTimeUtc, describe);
        Assert.True(wait.StartTimeUtc + wait.Duration <= claim.StartTimeUtc + TimeSpan.FromMilliseconds(1), describe);

        // The node's HTTP calls are children of the run: every call to the node in this trace, and at least the enqueue.
        var nodeCalls = trace.Where(a => a.Source.Name == "System.Net.Http" && Tag(a, "server.port") == node.Port.ToString()).ToList();
        Assert.NotEmpty(nodeCalls);
        Assert.All(nodeCalls, a => Assert.Equal(run.SpanId, a.ParentSpanId));
        Assert.Contains(nodeCalls, a => a.DisplayName.StartsWith("POST", StringComparison.Ordinal));

        // Bounded attributes only: the prompt is in no span.
        Assert.All(trace, a => Assert.DoesNotContain(a.TagObjects, t => t.Value?.ToString()?.Contains("lighthouse", StringComparison.Ordinal) == true));
    }

    private static string? Tag(Activity activity, string name) => activity.GetTagItem(name)?.ToString();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
