using Pingvas.Engines.Imaging;

namespace Pingvas.Engines.Procedural;

/// <summary>
/// The built-in DEVELOPMENT engine: a deterministic CPU renderer (procedural graphics, not AI)
/// that behaves like a diffusion sampler from the outside — it starts from noise, refines the
/// image over the requested steps, reports a preview after each one, and honours cancellation —
/// so the queue, progress, billing and gallery can be developed and tested without a GPU.
/// The same job and seed always give byte-identical pixels.
/// </summary>
public sealed class ProceduralEngine : IImageEngine
{
    private const float PreviewQuality = 70;

    private readonly TimeProvider _timeProvider;
    private readonly int _stepDelayMs;
    private readonly int _previewSize;
    private readonly int _maxDegreeOfParallelism;
    private readonly HashSet<string> _models;

    public ProceduralEngine(ProceduralEngineOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfNegative(options.StepDelayMs);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PreviewSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.PreviewSize, 128);
        ArgumentNullException.ThrowIfNull(options.Models);
        if (options.MaxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxDegreeOfParallelism must be -1 or positive.");
        }

        // Options are mutable; a snapshot keeps a running render consistent.
        _timeProvider = timeProvider;
        _stepDelayMs = options.StepDelayMs;
        _previewSize = options.PreviewSize;
        _maxDegreeOfParallelism = options.MaxDegreeOfParallelism;
        _models = new HashSet<string>(options.Models, StringComparer.Ordinal);
    }

    public string Name => "procedural";

    /// <summary>Test hook: sees every step's full-resolution state (image index, step, pixels) before its preview is made.</summary>
    internal Action<int, int, RgbaImage>? StepRendered { get; set; }

    public IReadOnlyCollection<string> Models => _models;

    public bool CanRun(string model)
    {
        return model is not null && _models.Contains(model);
    }

    public async Task<EngineResult> RunAsync(EngineJob job, Func<EngineProgress, ValueTask> onProgress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(onProgress);
        Validate(job);

        // Compute time is what the user pays for: it covers the whole run, step delays included.
        var started = _timeProvider.GetTimestamp();
        var images = new List<EngineImage>(job.BatchSize);
        var blend = BlendFor(job);
        var adapters = job.Kind == EngineJobKind.Upscale ? null : ProceduralAdapters.For(job);
        for (var index = 0; index < job.BatchSize; index++)
        {
            var seed = unchecked(job.Seed + index);
            var pixels = job.Kind == EngineJobKind.Upscale
                ? await UpscaleImageAsync(job, index, seed, onProgress, cancellationToken).ConfigureAwait(false)
                : await RenderImageAsync(job, index, seed, blend, adapters, onProgress, cancellationToken).ConfigureAwait(false);
            images.Add(new EngineImage(index, seed, pixels, ProceduralMetadata.For(job, Name, index, seed)));
        }

        return new EngineResult(Name, images, _timeProvider.GetElapsedTime(started), TimeSpan.Zero);
    }

    /// <summary>Img2img and inpaint start from the init image (decoded once per job); text-to-image has nothing to blend.</summary>
    private static ProceduralBlend? BlendFor(EngineJob job) => job.Kind switch
    {
        EngineJobKind.ImageToImage => new ProceduralBlend(ProceduralInputs.Decode(job.InitImage!, job.Width, job.Height), null, job.Strength),
        EngineJobKind.Inpaint => new ProceduralBlend(
            ProceduralInputs.Decode(job.InitImage!, job.Width, job.Height),
            ProceduralInputs.Repaint(ProceduralInputs.Decode(job.Mask!, job.Width, job.Height)),
            job.Strength),
        _ => null,
    };

    private async Task<RgbaImage> UpscaleImageAsync(
        EngineJob job, int index, long seed, Func<EngineProgress, ValueTask> onProgress, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var upscale = new ProceduralUpscale(ImageDecoder.Decode(job.InitImage!.Bytes), job.Width, job.Height, seed);
        RgbaImage image = null!;
        for (var step = 1; step <= job.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            image = upscale.At(step, job.Steps);
            await ReportStepAsync(job, index, step, image, onProgress, cancellationToken).ConfigureAwait(false);
        }

        return image;
    }

    private async Task<RgbaImage> RenderImageAsync(
        EngineJob job,
        int index,
        long seed,
        ProceduralBlend? blend,
        ProceduralAdapters? adapters,
        Func<EngineProgress, ValueTask> onProgress,
        CancellationToken cancellationToken)
    {
        var scene = CreateScene(job, seed);
        var schedule = new NoiseSchedule(job.Scheduler);
        var lattice = new NoiseLattice(job.Width, job.Height);
        var noiseSeed = SplitMix64.Mix((ulong)seed ^ 0x6E6F697365UL);
        lattice.Fill(noiseSeed);

        var width = job.Width;
        var accum = new float[width * job.Height * 3];
        var warp = new float[width * job.Height * 2];
        var image = new RgbaImage(width, job.Height);
        var shown = image;
        var parallel = new ParallelOptions
        {
            CancellationToken = cancellationToken,
            MaxDegreeOfParallelism = _maxDegreeOfParallelism,
        };

        for (var step = 1; step <= job.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (from, to) = NoiseSchedule.LayersFor(step, job.Steps, scene.LayerCount);
            var sigma = schedule.SigmaAfter(step, job.Steps);
            if (schedule.Ancestral && step > 1)
            {
                lattice.Fill(SplitMix64.Mix(noiseSeed + (ulong)step));
            }

            // Every step visits every pixel: add this step's layers, then compose the current state.
            // Rows are independent, so the parallel loop cannot change the result.
            Parallel.For(0, job.Height, parallel, y =>
            {
                var accumRow = accum.AsSpan(y * width * 3, width * 3);
                var warpRow = warp.AsSpan(y * width * 2, width * 2);
                for (var layer = from; layer < to; layer++)
                {
                    scene.ApplyLayer(layer, y, accumRow, warpRow);
                }

                scene.Compose(y, accumRow, sigma, lattice, image.Pixels.AsSpan(y * width * 4, width * 4));
            });

            // LoRAs, controls and the reference act on the render, before img2img/inpaint blend it with the init image.
            var styled = adapters is null ? image : adapters.Apply(image, step, job.Steps);
            shown = blend is null ? styled : blend.Present(styled, step, job.Steps);
            await ReportStepAsync(job, index, step, shown, onProgress, cancellationToken).ConfigureAwait(false);
        }

        return shown;
    }

    /// <summary>After each step: the test hook, a preview to the caller, and the configured pause.</summary>
    private async Task ReportStepAsync(
        EngineJob job, int index, int step, RgbaImage image, Func<EngineProgress, ValueTask> onProgress, CancellationToken cancellationToken)
    {
        StepRendered?.Invoke(index, step, image);
        var preview = WebPEncoder.Encode(ImageResizer.Fit(image, _previewSize), PreviewQuality);
        await onProgress(new EngineProgress(step, job.Steps, index, job.BatchSize, preview)).ConfigureAwait(false);

        if (_stepDelayMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(_stepDelayMs), _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private static ProceduralScene CreateScene(EngineJob job, long seed)
    {
        var style = ProceduralStyle.For(job.Model, job.CfgScale, job.Steps);
        var contentHash = StableHash.Of(job.Model, job.Prompt);

        // The negative prompt pushes the palette away from a hue: one it names, else one from its hash.
        float? avoidHue = null;
        if (!string.IsNullOrWhiteSpace(job.NegativePrompt))
        {
            avoidHue = PromptHints.HueFor(job.NegativePrompt)
                ?? (StableHash.Of(job.NegativePrompt) >> 40) * (1f / (1 << 24));
        }

        return new ProceduralScene(
            style,
            job.Width,
            job.Height,
            contentHash,
            seed,
            avoidHue,
            PromptHints.HueFor(job.Prompt),
            PromptHints.IsDark(job.Prompt));
    }

    private void Validate(EngineJob job)
    {
        if (!CanRun(job.Model))
        {
            throw new ArgumentException($"The procedural engine does not serve model '{job.Model}'.", nameof(job));
        }

        ArgumentNullException.ThrowIfNull(job.Prompt);
        ArgumentNullException.ThrowIfNull(job.Scheduler);
        ArgumentOutOfRangeException.ThrowIfLessThan(job.Width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(job.Height, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(job.Width, WebPEncoder.MaxDimension);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(job.Height, WebPEncoder.MaxDimension);
        ArgumentOutOfRangeException.ThrowIfLessThan(job.Steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(job.BatchSize, 1);
        if (job.Kind != EngineJobKind.TextToImage && job.InitImage is null)
        {
            throw new ArgumentException($"A {job.Kind} job needs an init image.", nameof(job));
        }

        if (job.Kind == EngineJobKind.Inpaint && job.Mask is null)
        {
            throw new ArgumentException("An inpaint job needs a mask.", nameof(job));
        }

        if (job.Kind is EngineJobKind.ImageToImage or EngineJobKind.Inpaint && (double.IsNaN(job.Strength) || job.Strength is < 0 or > 1))
        {
            throw new ArgumentOutOfRangeException(nameof(job), "Strength must be between 0 and 1.");
        }

        if (job.Kind == EngineJobKind.Upscale && (job.UpscaleScale is not (2 or 4)
            || job.Width != job.InitImage!.Width * job.UpscaleScale || job.Height != job.InitImage.Height * job.UpscaleScale))
        {
            throw new ArgumentException("An upscale needs scale 2 or 4 and the output size the input's times the scale.", nameof(job));
        }
    }
}
