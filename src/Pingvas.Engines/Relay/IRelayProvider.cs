namespace Pingvas.Engines.Relay;

/// <summary>One image from a provider call: its encoded bytes (PNG, JPEG or WebP) and the cost the provider reported, if any.</summary>
public sealed record RelayImage(byte[] Bytes, decimal? ReportedCostUsd);

/// <summary>
/// A client for one external image API. <see cref="GenerateAsync"/> makes one provider call for
/// one image of the job and throws <see cref="ProviderException"/> for every failure it can classify;
/// retries, rate limiting and the breaker are <see cref="RelayResilience"/>'s.
/// </summary>
public interface IRelayProvider
{
    /// <summary>The provider id: <c>gemini</c>, <c>stability</c> or <c>replicate</c>.</summary>
    string Name { get; }

    Task<RelayImage> GenerateAsync(EngineJob job, long seed, CancellationToken cancellationToken);
}
