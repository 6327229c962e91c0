using Pingvas.Engines.Imaging;

namespace Pingvas.Engines.Relay;

/// <summary>
/// An external image API behind the engine contract: one instance per configured provider. A batch
/// of n images is n provider calls, each through <see cref="RelayResilience"/>. The images are
/// decoded here (so a garbled answer is retried, not stored), and the run's provider cost is the
/// sum of what the provider reported, or its configured price per image.
/// </summary>
public sealed class RelayEngine(IRelayProvider provider, RelayProviderOptions options, RelayResilience resilience, TimeProvider time) : IImageEngine
{
    public const string EngineKind = "external API relay";

    public string Name => provider.Name;

    public string GpuClass => "relay";

    public int? Concurrency => Math.Max(1, options.Concurrency);

    /// <summary>Only a provider with an API key serves its model; without one the catalog calls it unavailable.</summary>
    public IReadOnlyCollection<string> Models { get; } = options.IsConfigured ? [options.CatalogModel] : [];

    public CircuitBreaker Breaker => resilience.Breaker;

    /// <summary>While the breaker is open the provider counts as unreachable, so its workers claim nothing until the cool-down ends.</summary>
    public Task RefreshAsync(CancellationToken cancellationToken) =>
        Breaker.State == BreakerState.Open
            ? Task.FromException(new RetryableEngineException("provider_unavailable", $"The {Name} API is failing; its circuit breaker is open."))
            : Task.CompletedTask;

    public async Task<EngineResult> RunAsync(EngineJob job, Func<EngineProgress, ValueTask> onProgress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(onProgress);
        if (!Models.Contains(job.Model))
        {
            throw new ArgumentException($"The {Name} relay does not serve '{job.Model}'.", nameof(job));
        }

        if (job.Kind != EngineJobKind.TextToImage)
        {
            throw new EngineFailedException("kind_unsupported", $"The {Name} relay only generates from text.");
        }

        var started = time.GetTimestamp();
        var images = new List<EngineImage>(job.BatchSize);
        decimal cost = 0;
        for (var index = 0; index < job.BatchSize; index++)
        {
            // Each image its own seed, as the local engines do, so a batch is not n copies.
            var seed = job.Seed + index;
            var (pixels, reported) = await resilience.ExecuteAsync(t => GenerateOneAsync(job, seed, t), cancellationToken).ConfigureAwait(false);
            cost += reported ?? options.PriceUsdPerImage;
            images.Add(new EngineImage(index, seed, pixels, Metadata(job, index, seed)));
            await onProgress(new EngineProgress(job.Steps, job.Steps, index, job.BatchSize, null)).ConfigureAwait(false);
        }

        return new EngineResult(Name, images, time.GetElapsedTime(started), TimeSpan.Zero) { ProviderCostUsd = cost };
    }

    private async Task<(RgbaImage Pixels, decimal? Cost)> GenerateOneAsync(EngineJob job, long seed, CancellationToken ct)
    {
        var image = await provider.GenerateAsync(job, seed, ct).ConfigureAwait(false);
        try
        {
            return (ImageDecoder.Decode(image.Bytes), image.ReportedCostUsd);
        }
        catch (InvalidImageException ex)
        {
            throw new ProviderException(ProviderFailure.Transient, $"{Name} returned an image that does not decode: {ex.Message}", inner: ex);
        }
    }

    private Dictionary<string, string> Metadata(EngineJob job, int index, long seed)
    {
        var metadata = ImageMetadata.For(job, Name, EngineKind, index, seed, sampler: false);
        metadata["providerModel"] = options.Model;
        return metadata;
    }

}
