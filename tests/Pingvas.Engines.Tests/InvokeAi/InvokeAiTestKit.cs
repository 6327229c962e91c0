using System.Text.Json;

using Microsoft.Extensions.Logging.Abstractions;

using Pingvas.Engines.Imaging;
using Pingvas.Engines.InvokeAi;
using Pingvas.Testing.InvokeAi;

namespace Pingvas.Engines.Tests.InvokeAi;

/// <summary>Engines, jobs and input images for the tests that drive the InvokeAI protocol test node.</summary>
internal static class InvokeAiTestKit
{
    /// <summary>Every wait in these tests is bounded by this.</summary>
    public static readonly TimeSpan Bounded = TimeSpan.FromSeconds(30);

    public static InvokeAiOptions Options() => new()
    {
        RequestTimeoutSeconds = 5,
        SilentPollSeconds = 2,
        PollSeconds = 0.1,
        PreviewsPerSecond = 1000,
    };

    public static async Task<InvokeAiEngine> EngineAsync(InvokeAiTestNode node, string? token = null, InvokeAiOptions? options = null, Uri? eventsUrl = null)
    {
        var engine = new InvokeAiEngine(
            new InvokeAiNodeOptions { Url = node.BaseUrl.ToString(), GpuClass = "l4", Token = token },
            options ?? Options(),
            TimeProvider.System,
            NullLogger<InvokeAiEngine>.Instance,
            eventsUrl);
        await engine.RefreshAsync(CancellationToken.None);
        return engine;
    }

    public static EngineJob Job(
        string model = "sd-1.5",
        EngineJobKind kind = EngineJobKind.TextToImage,
        int width = 64,
        int height = 64,
        int steps = 4,
        int batch = 1,
        double strength = 0.6,
        int scale = 1,
        EngineInputImage? init = null,
        EngineInputImage? mask = null)
    {
        return new EngineJob(Guid.NewGuid(), model, "a lighthouse in a storm", "blurry", width, height, steps, 7.5, "euler", 1234, batch)
        {
            Kind = kind,
            Strength = strength,
            UpscaleScale = scale,
            InitImage = init,
            Mask = mask,
        };
    }

    /// <summary>A PNG of a horizontal gradient, the size given.</summary>
    public static EngineInputImage Picture(int width = 64, int height = 64)
    {
        var image = new RgbaImage(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = ((y * width) + x) * 4;
                image.Pixels[i] = (byte)(x * 255 / Math.Max(1, width - 1));
                image.Pixels[i + 1] = (byte)(y * 255 / Math.Max(1, height - 1));
                image.Pixels[i + 2] = 128;
                image.Pixels[i + 3] = 255;
            }
        }
        return new EngineInputImage("image/png", PngEncoder.Encode(image), width, height);
    }

    /// <summary>Our mask convention: the left half white (repaint), the right half black (keep).</summary>
    public static EngineInputImage LeftHalfMask(int width = 64, int height = 64)
    {
        var image = new RgbaImage(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = ((y * width) + x) * 4;
                var value = x < width / 2 ? (byte)255 : (byte)0;
                image.Pixels[i] = value;
                image.Pixels[i + 1] = value;
                image.Pixels[i + 2] = value;
                image.Pixels[i + 3] = 255;
            }
        }
        return new EngineInputImage("image/png", PngEncoder.Encode(image), width, height);
    }

    public static async Task<(EngineResult Result, List<EngineProgress> Progress)> RunAsync(
        InvokeAiEngine engine, EngineJob job, CancellationToken ct = default)
    {
        var progress = new List<EngineProgress>();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(Bounded);
        var result = await engine.RunAsync(job, p =>
        {
            lock (progress)
            {
                progress.Add(p);
            }
            return ValueTask.CompletedTask;
        }, bounded.Token);
        return (result, progress);
    }

    /// <summary>The graph of the n-th enqueue, as the node received it.</summary>
    public static JsonElement Graph(InvokeAiTestRecord record, int index = 0) => record.Enqueued[index].Batch.GetProperty("graph");

    public static IEnumerable<JsonElement> NodesOfType(JsonElement graph, string type) =>
        graph.GetProperty("nodes").EnumerateObject().Select(p => p.Value).Where(n => n.GetProperty("type").GetString() == type);

    public static bool HasEdge(JsonElement graph, string sourceField, string destinationNode, string destinationField) =>
        graph.GetProperty("edges").EnumerateArray().Any(e =>
            e.GetProperty("source").GetProperty("field").GetString() == sourceField
            && e.GetProperty("destination").GetProperty("node_id").GetString() == destinationNode
            && e.GetProperty("destination").GetProperty("field").GetString() == destinationField);

    /// <summary>Polls until <paramref name="condition"/> holds (bounded; no fixed sleeps).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Bounded);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }
            await Task.Delay(20);
        }
    }

    public static void NoViolations(InvokeAiTestRecord record) =>
        Assert.True(record.Violations.Count == 0, "Graph violations: " + string.Join("; ", record.Violations.Select(v => $"{v.Kind} {v.NodeId}.{v.Field}: {v.Message}")));
}
