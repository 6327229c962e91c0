using Pingvas.Engines.Imaging;

using static Pingvas.Engines.Tests.EngineTestKit;

namespace Pingvas.Engines.Tests;

public sealed class ProceduralEngineProgressTests
{
    [Fact]
    public async Task Progress_is_reported_once_per_step_per_image_in_order_with_a_WebP_preview()
    {
        var (_, progress) = await RunAsync(Engine(previewSize: 32), Job(width: 96, height: 64, steps: 5, batch: 2));

        var expected = Enumerable.Range(0, 2).SelectMany(image => Enumerable.Range(1, 5).Select(step => (step, 5, image, 2)));
        Assert.Equal(expected, progress.Select(p => (p.Step, p.TotalSteps, p.ImageIndex, p.BatchSize)));
        foreach (var p in progress)
        {
            Assert.NotNull(p.Preview);
            Assert.Equal("RIFF"u8.ToArray(), p.Preview[..4]);
            Assert.True(WebPNative.TryGetInfo(p.Preview, out var w, out var h));
            Assert.Equal((32, 21), (w, h)); // long side = PreviewSize, aspect 3:2 kept
        }
    }

    [Fact]
    public async Task Default_preview_is_96_px_on_the_long_side()
    {
        var engine = new Procedural.ProceduralEngine(new Procedural.ProceduralEngineOptions { StepDelayMs = 0 }, TimeProvider.System);

        var (_, progress) = await RunAsync(engine, Job(width: 128, height: 256, steps: 1));

        Assert.True(WebPNative.TryGetInfo(Assert.Single(progress).Preview!, out var w, out var h));
        Assert.Equal((48, 96), (w, h));
    }

    [Fact]
    public async Task Each_step_state_is_strictly_closer_to_the_final_image()
    {
        var engine = Engine();
        var states = new List<RgbaImage>();
        engine.StepRendered = (_, _, image) => states.Add(new RgbaImage(image.Width, image.Height, (byte[])image.Pixels.Clone()));

        var (result, _) = await RunAsync(engine, Job(width: 80, height: 60, steps: 12));

        var final = result.Images[0].Pixels;
        var distances = states.Select(s => TestImages.MeanAbsDifference(s, final)).ToList();
        Assert.Equal(12, distances.Count);
        Assert.True(distances[0] > 20, $"step 1 should be mostly noise, distance {distances[0]:F1}");
        for (var i = 1; i < distances.Count; i++)
        {
            Assert.True(distances[i] < distances[i - 1], $"step {i + 1}: {distances[i]:F2} !< {distances[i - 1]:F2}");
        }

        Assert.Equal(0, distances[^1]);
    }

    [Fact]
    public async Task Decoded_previews_converge_on_the_final_image()
    {
        var (result, progress) = await RunAsync(Engine(previewSize: 48), Job(width: 96, height: 96, steps: 10));

        var target = ImageResizer.Fit(result.Images[0].Pixels, 48);
        var distances = progress.Select(p => TestImages.MeanAbsDifference(WebPNative.Decode(p.Preview)!, target)).ToList();

        // Lossy WebP adds a little error of its own, so compare across the run rather than step to step.
        Assert.True(distances[0] > 2.5 * distances[^1], string.Join(", ", distances.Select(d => d.ToString("F1"))));
        Assert.True(distances[0] > distances[4] && distances[4] > distances[^1], string.Join(", ", distances.Select(d => d.ToString("F1"))));
        Assert.True(distances[^1] < 6, $"the last preview should be the final image up to WebP loss, distance {distances[^1]:F1}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    public async Task Cancelling_after_step_2_stops_the_run(int stepDelayMs)
    {
        using var cts = new CancellationTokenSource();
        var steps = new List<int>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Engine(stepDelayMs).RunAsync(
            Job(steps: 10),
            p =>
            {
                steps.Add(p.Step);
                if (p.Step == 2)
                {
                    cts.Cancel();
                }

                return ValueTask.CompletedTask;
            },
            cts.Token));

        Assert.Equal([1, 2], steps);
    }

    [Fact]
    public async Task Already_cancelled_token_renders_nothing()
    {
        var calls = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Engine().RunAsync(
            Job(),
            _ =>
            {
                calls++;
                return ValueTask.CompletedTask;
            },
            new CancellationToken(canceled: true)));

        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task Compute_time_includes_the_step_delays()
    {
        var (result, progress) = await RunAsync(Engine(stepDelayMs: 20), Job(steps: 5));

        Assert.Equal(5, progress.Count);
        // Five 20 ms pauses; a timer may fire up to a millisecond tick early, so allow that much per pause.
        Assert.True(result.ComputeTime >= TimeSpan.FromMilliseconds(95), $"compute time {result.ComputeTime.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Compute_time_is_measured_with_the_given_time_provider()
    {
        var time = new SteppingTimeProvider(TimeSpan.FromSeconds(3));

        var (result, _) = await RunAsync(Engine(time: time), Job(steps: 2));

        // Two timestamps are read — start and end — each a tick of the fake clock apart.
        Assert.Equal(TimeSpan.FromSeconds(3), result.ComputeTime);
    }

    /// <summary>A clock that advances by a fixed amount every time it is read.</summary>
    private sealed class SteppingTimeProvider(TimeSpan tick) : TimeProvider
    {
        private long _now;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp()
        {
            return Interlocked.Add(ref _now, tick.Ticks);
        }
    }
}
