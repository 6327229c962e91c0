using Microsoft.Extensions.Logging.Abstractions;

using Pingvas.Engines.Relay;
using Pingvas.Relay.Fakes;

namespace Pingvas.Engines.Tests.Relay;

/// <summary>Relay engines pointed at a <see cref="FakeProviderServer"/>, with quick retries for tests.</summary>
internal static class RelayTestKit
{
    public static RelayProviderOptions Options(FakeProviderServer fake, string provider) => new()
    {
        ApiKey = fake.ApiKey,
        BaseUrl = fake.BaseUrl.ToString(),
        Model = provider switch
        {
            "gemini" => FakeProviderServer.GeminiModel,
            "stability" => "sd3.5-large",
            _ => FakeProviderServer.ReplicateModel,
        },
        CatalogModel = provider switch
        {
            "gemini" => "nano-banana",
            "stability" => "stability-sd3",
            _ => "replicate-flux-pro",
        },
        PriceUsdPerImage = 0.05m,
        RequestsPerMinute = 60_000,
        Burst = 100,
        TimeoutSeconds = 5,
        MaxRetries = 3,
        RetryBaseDelayMs = 20,
        MaxRetryDelaySeconds = 5,
        BreakerFailures = 5,
        BreakerCooldownSeconds = 30,
        PollIntervalMs = 20,
        DownloadHosts = ["127.0.0.1"],
        AllowPrivateDownloads = true,
    };

    public static RelayEngine Engine(string provider, RelayProviderOptions options)
    {
        var time = TimeProvider.System;
        var api = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        IRelayProvider client = provider switch
        {
            "gemini" => new GeminiProvider(api, options),
            "stability" => new StabilityProvider(api, options),
            _ => ReplicateClient(api, options, time),
        };
        return new RelayEngine(client, options, new RelayResilience(provider, options, time, NullLogger.Instance), time);
    }

    public static EngineJob Job(string model, int batch = 1, int width = 1024, int height = 1024, string prompt = "a lighthouse at dusk") =>
        new(Guid.NewGuid(), model, prompt, "blurry", width, height, 1, 7, "euler", 42, batch);

    public static Task<EngineResult> RunAsync(RelayEngine engine, EngineJob job, CancellationToken ct = default) =>
        engine.RunAsync(job, _ => ValueTask.CompletedTask, ct);

    private static ReplicateProvider ReplicateClient(HttpClient api, RelayProviderOptions options, TimeProvider time)
    {
        var guard = new DownloadGuard(options);
        return new ReplicateProvider(api, new HttpClient(guard.CreateHandler()) { Timeout = Timeout.InfiniteTimeSpan }, guard, options, time);
    }
}
