using Pingvas.Engines.Relay;
using Pingvas.Relay.Fakes;

using static Pingvas.Engines.Tests.Relay.RelayTestKit;

namespace Pingvas.Engines.Tests.Relay;

/// <summary>The Stability AI relay against a local server that follows the v2beta stable-image API.</summary>
public sealed class StabilityRelayTests : IAsyncLifetime
{
    private FakeProviderServer fake = null!;

    public async Task InitializeAsync() => fake = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await fake.DisposeAsync();

    [Fact]
    public async Task A_batch_is_multipart_calls_with_bearer_auth_priced_per_image()
    {
        var engine = Engine("stability", Options(fake, "stability"));

        var result = await RunAsync(engine, Job("stability-sd3", batch: 2, width: 768, height: 1344));

        Assert.Empty(fake.Violations);
        Assert.Equal(2, fake.GenerateCalls);
        Assert.All(fake.Calls, c => Assert.Equal("/v2beta/stable-image/generate/sd3", c.Path));
        Assert.Equal(2, result.Images.Count);
        Assert.Equal(0.10m, result.ProviderCostUsd);
    }

    [Fact]
    public async Task Core_and_ultra_models_use_their_own_endpoints()
    {
        var options = Options(fake, "stability");
        options.Model = "core";

        await RunAsync(Engine("stability", options), Job("stability-sd3"));

        Assert.Empty(fake.Violations);
        Assert.Equal("/v2beta/stable-image/generate/core", fake.Calls.Single().Path);
    }

    [Fact]
    public async Task A_moderation_403_is_content_refused_without_a_retry()
    {
        var engine = Engine("stability", Options(fake, "stability"));
        fake.Script.Enqueue(Scripted.Refuse);

        var error = await Assert.ThrowsAsync<EngineFailedException>(() => RunAsync(engine, Job("stability-sd3")));

        Assert.Equal("content_refused", error.Code);
        Assert.Equal(1, fake.GenerateCalls);
    }

    [Fact]
    public async Task A_402_out_of_credit_returns_the_job_to_the_queue_without_retrying_here()
    {
        var engine = Engine("stability", Options(fake, "stability"));
        fake.Script.Enqueue(Scripted.PaymentRequired);

        var error = await Assert.ThrowsAsync<RetryableEngineException>(() => RunAsync(engine, Job("stability-sd3")));

        Assert.Equal("provider_unavailable", error.Code);
        Assert.Equal(1, fake.GenerateCalls);
    }

    [Fact]
    public async Task A_429_then_a_500_are_retried()
    {
        var engine = Engine("stability", Options(fake, "stability"));
        fake.Script.Enqueue(Scripted.Throttle);
        fake.Script.Enqueue(Scripted.ServerError);

        var result = await RunAsync(engine, Job("stability-sd3"));

        Assert.Single(result.Images);
        Assert.Equal(3, fake.GenerateCalls);
        Assert.True(fake.Calls[1].At - fake.Calls[0].At >= TimeSpan.FromSeconds(0.95));
    }
}
