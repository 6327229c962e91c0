using System.Net;
using System.Net.Sockets;

using Pingvas.Engines.Imaging;
using Pingvas.Engines.InvokeAi;
using Pingvas.Testing.InvokeAi;

using static Pingvas.Engines.Tests.InvokeAi.InvokeAiTestKit;

namespace Pingvas.Engines.Tests.InvokeAi;

/// <summary>Following a run: progress and previews, metering, and the REST fallback.</summary>
public sealed class InvokeAiRunTests
{
    [Fact]
    public async Task Progress_maps_percentages_to_steps_with_small_webp_previews()
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 20 });
        await using var engine = await EngineAsync(node);
        await EventuallyAsync(async () => (await node.RecordAsync()).ConnectedSockets > 0, "the event socket to connect");

        var (_, progress) = await RunAsync(engine, Job("sdxl-1.0", steps: 8, batch: 2));

        Assert.NotEmpty(progress);
        Assert.All(progress, p => Assert.Equal(8, p.TotalSteps));
        Assert.All(progress, p => Assert.Equal(2, p.BatchSize));
        foreach (var index in new[] { 0, 1 })
        {
            var steps = progress.Where(p => p.ImageIndex == index).Select(p => p.Step).ToList();
            Assert.Equal(steps.Order(), steps);
            Assert.Equal(8, steps[^1]);
        }
        var previews = progress.Where(p => p.Preview is not null).ToList();
        Assert.NotEmpty(previews);
        Assert.All(previews, p =>
        {
            var info = ImageDecoder.Identify(p.Preview);
            Assert.Equal("webp", info.Format);
            Assert.True(info.Width <= 128 && info.Height <= 128);
        });
        NoViolations(await node.RecordAsync());
    }

    [Fact]
    public async Task Previews_are_throttled()
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 5 });
        var options = Options();
        options.PreviewsPerSecond = 0.5;
        await using var engine = await EngineAsync(node, options: options);
        await EventuallyAsync(async () => (await node.RecordAsync()).ConnectedSockets > 0, "the event socket to connect");

        var started = DateTime.UtcNow;
        var (_, progress) = await RunAsync(engine, Job("sd-1.5", steps: 20));

        // One preview per two seconds at most: the first, plus one for every two seconds the run took.
        var allowed = 1 + (int)((DateTime.UtcNow - started).TotalSeconds / 2);
        Assert.InRange(progress.Count(p => p.Preview is not null), 1, allowed);
        Assert.True(progress.Count > allowed);
    }

    [Fact]
    public async Task Compute_time_comes_from_the_item_and_model_load_time_from_the_load_events()
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 10, ModelLoadDelayMs = 300 });
        await using var engine = await EngineAsync(node);
        await EventuallyAsync(async () => (await node.RecordAsync()).ConnectedSockets > 0, "the event socket to connect");

        var (result, _) = await RunAsync(engine, Job("sd-1.5", steps: 5));

        Assert.True(result.ModelLoadTime >= TimeSpan.FromMilliseconds(250), $"model load {result.ModelLoadTime}");
        var item = Assert.Single((await node.RecordAsync()).Items);
        var started = InvokeAiTime.Parse(item.Raw.GetProperty("started_at").GetString())!.Value;
        var completed = InvokeAiTime.Parse(item.Raw.GetProperty("completed_at").GetString())!.Value;
        Assert.Equal(completed - started, result.ComputeTime);
        Assert.True(result.ComputeTime >= result.ModelLoadTime);
    }

    [Fact]
    public async Task Without_the_socket_the_item_is_followed_over_REST()
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 5 });
        // The socket goes to a port nobody listens on: every event is missed, the REST item tells the outcome.
        await using var engine = await EngineAsync(node, eventsUrl: new Uri($"http://127.0.0.1:{ClosedPort()}/"));

        var (result, progress) = await RunAsync(engine, Job("flux-schnell", batch: 2));

        Assert.Equal(2, result.Images.Count);
        Assert.Empty(progress);
        Assert.True(result.ComputeTime > TimeSpan.Zero);
        var record = await node.RecordAsync();
        Assert.Equal(0, record.ConnectedSockets);
        Assert.All(record.Items, i => Assert.Equal("completed", i.Status));
        NoViolations(record);
    }

    [Fact]
    public async Task A_silent_socket_falls_back_to_polling_the_item()
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 5 });
        await using var silent = new SilentSocketServer();
        var options = Options();
        options.SilentPollSeconds = 0.3;
        await using var engine = await EngineAsync(node, token: null, options, eventsUrl: silent.Url);
        await EventuallyAsync(() => Task.FromResult(silent.Received.Any(p => p.Contains("subscribe_queue", StringComparison.Ordinal))), "the engine to subscribe to the queue");

        var (result, progress) = await RunAsync(engine, Job("sd-1.5", steps: 6));

        Assert.Single(result.Images);
        Assert.Empty(progress);
        Assert.Contains("42[\"subscribe_queue\",{\"queue_id\":\"default\"}]", silent.Received);
        Assert.Equal("completed", Assert.Single((await node.RecordAsync()).Items).Status);
    }

    [Fact]
    public async Task A_connected_node_that_emits_no_events_is_followed_over_REST()
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 5, EmitEvents = false });
        var options = Options();
        options.SilentPollSeconds = 0.3;
        await using var engine = await EngineAsync(node, options: options);
        await EventuallyAsync(async () => (await node.RecordAsync()).ConnectedSockets > 0, "the event socket to connect");

        var (result, progress) = await RunAsync(engine, Job("flux-dev", kind: EngineJobKind.ImageToImage, init: Picture()));

        Assert.Single(result.Images);
        Assert.Empty(progress);
        Assert.True(result.ComputeTime > TimeSpan.Zero);
        var record = await node.RecordAsync();
        Assert.Equal("completed", Assert.Single(record.Items).Status);
        Assert.All(record.Uploads, u => Assert.DoesNotContain(u.ImageName, record.Images));
        NoViolations(record);
    }

    [Fact]
    public async Task A_node_with_a_token_is_driven_with_it_over_REST_and_the_socket()
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 10, Token = "s3cret" });
        await using var engine = await EngineAsync(node, token: "s3cret");
        await EventuallyAsync(async () => (await node.RecordAsync()).ConnectedSockets > 0, "the event socket to connect");

        var (result, progress) = await RunAsync(engine, Job("sd-1.5", steps: 4));

        Assert.Single(result.Images);
        Assert.NotEmpty(progress);
        NoViolations(await node.RecordAsync());
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
