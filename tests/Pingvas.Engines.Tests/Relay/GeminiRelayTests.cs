using System.Diagnostics;

using Pingvas.Engines.Relay;
using Pingvas.Relay.Fakes;

using static Pingvas.Engines.Tests.Relay.RelayTestKit;

namespace Pingvas.Engines.Tests.Relay;

/// <summary>The Gemini relay against a local server that follows the generateContent API and checks what we send.</summary>
public sealed class GeminiRelayTests : IAsyncLifetime
{
    private FakeProviderServer fake = null!;

    public async Task InitializeAsync() => fake = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await fake.DisposeAsync();

    [Fact]
    public async Task A_batch_is_one_documented_call_per_image_decoded_with_the_cost_from_usage_metadata()
    {
        var engine = Engine("gemini", Options(fake, "gemini"));
        var progress = new List<EngineProgress>();

        var result = await engine.RunAsync(Job("nano-banana", batch: 3, width: 1344, height: 768), p =>
        {
            progress.Add(p);
            return ValueTask.CompletedTask;
        }, CancellationToken.None);

        Assert.Empty(fake.Violations);
        Assert.Equal(3, fake.GenerateCalls);
        Assert.Equal("gemini", result.Engine);
        Assert.Equal(3, result.Images.Count);
        Assert.All(result.Images, i => Assert.Equal((32, 32), (i.Pixels.Width, i.Pixels.Height)));
        Assert.Equal([42L, 43L, 44L], result.Images.Select(i => i.Seed));
        Assert.Equal("nano-banana", result.Images[0].Metadata["model"]);
        Assert.Equal(FakeProviderServer.GeminiModel, result.Images[0].Metadata["providerModel"]);
        // 10 prompt tokens at $0.30/M plus 1,290 image tokens at $30/M, per image.
        Assert.Equal(3 * 0.038703m, result.ProviderCostUsd);
        Assert.Equal([0, 1, 2], progress.Select(p => p.ImageIndex));
        Assert.Equal(("relay", 2), (engine.GpuClass, engine.Concurrency));
    }

    [Fact]
    public void Without_an_api_key_the_engine_serves_nothing()
    {
        var options = Options(fake, "gemini");
        options.ApiKey = null;
        Assert.Empty(Engine("gemini", options).Models);
        Assert.Equal(["nano-banana"], Engine("gemini", Options(fake, "gemini")).Models);
    }

    [Fact]
    public async Task A_429_is_retried_after_its_Retry_After()
    {
        var engine = Engine("gemini", Options(fake, "gemini"));
        fake.Script.Enqueue(Scripted.Throttle);

        var result = await RunAsync(engine, Job("nano-banana"));

        Assert.Single(result.Images);
        var calls = fake.Calls;
        Assert.Equal(2, calls.Count);
        Assert.True(calls[1].At - calls[0].At >= TimeSpan.FromSeconds(0.95), $"retried after {(calls[1].At - calls[0].At).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_Retry_After_longer_than_the_cap_hands_the_job_back_instead_of_idling()
    {
        var options = Options(fake, "gemini");
        options.MaxRetryDelaySeconds = 0.5;
        var engine = Engine("gemini", options);
        fake.Script.Enqueue(Scripted.Throttle);

        var error = await Assert.ThrowsAsync<RetryableEngineException>(() => RunAsync(engine, Job("nano-banana")));

        Assert.Equal("provider_busy", error.Code);
        Assert.Equal(1, fake.GenerateCalls);
    }

    [Fact]
    public async Task Server_errors_and_a_timeout_are_retried_with_growing_backoff_until_success()
    {
        var options = Options(fake, "gemini");
        options.TimeoutSeconds = 0.5;
        options.RetryBaseDelayMs = 100;
        var engine = Engine("gemini", options);
        foreach (var s in new[] { Scripted.ServerError, Scripted.Unavailable, Scripted.Hang })
        {
            fake.Script.Enqueue(s);
        }

        var result = await RunAsync(engine, Job("nano-banana"));

        Assert.Single(result.Images);
        var calls = fake.Calls;
        Assert.Equal(4, calls.Count);
        // Backoff with half-fixed jitter: at least 50, 100, 200 ms before retries 1, 2, 3 (the third after a 0.5 s timeout).
        Assert.True(calls[1].At - calls[0].At >= TimeSpan.FromMilliseconds(50));
        Assert.True(calls[2].At - calls[1].At >= TimeSpan.FromMilliseconds(100));
        Assert.True(calls[3].At - calls[2].At >= TimeSpan.FromMilliseconds(700));
    }

    [Fact]
    public async Task Retries_are_bounded_and_the_job_goes_back_to_the_queue()
    {
        var options = Options(fake, "gemini");
        options.MaxRetries = 2;
        var engine = Engine("gemini", options);
        for (var i = 0; i < 3; i++)
        {
            fake.Script.Enqueue(Scripted.ServerError);
        }

        var error = await Assert.ThrowsAsync<RetryableEngineException>(() => RunAsync(engine, Job("nano-banana")));

        Assert.Equal("provider_error", error.Code);
        Assert.Equal(3, fake.GenerateCalls);
    }

    [Fact]
    public async Task A_blocked_prompt_fails_at_once_as_content_refused_and_leaves_the_breaker_closed()
    {
        var options = Options(fake, "gemini");
        options.BreakerFailures = 1;
        var engine = Engine("gemini", options);
        fake.Script.Enqueue(Scripted.Refuse);

        var error = await Assert.ThrowsAsync<EngineFailedException>(() => RunAsync(engine, Job("nano-banana")));

        Assert.Equal("content_refused", error.Code);
        Assert.Equal(1, fake.GenerateCalls);
        Assert.Equal(BreakerState.Closed, engine.Breaker.State);
    }

    [Fact]
    public async Task An_answer_that_does_not_decode_is_retried()
    {
        var engine = Engine("gemini", Options(fake, "gemini"));
        fake.Script.Enqueue(Scripted.Garbage);

        var result = await RunAsync(engine, Job("nano-banana"));

        Assert.Single(result.Images);
        Assert.Equal(2, fake.GenerateCalls);
    }

    [Fact]
    public async Task A_rejected_key_is_not_retried_and_never_appears_in_errors()
    {
        var engine = Engine("gemini", Options(fake, "gemini"));
        fake.Script.Enqueue(Scripted.PaymentRequired);

        var error = await Assert.ThrowsAsync<RetryableEngineException>(() => RunAsync(engine, Job("nano-banana")));

        Assert.Equal("provider_unavailable", error.Code);
        Assert.Equal(1, fake.GenerateCalls);
        Assert.DoesNotContain(fake.ApiKey, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_stops_a_call_in_flight_promptly()
    {
        var options = Options(fake, "gemini");
        options.TimeoutSeconds = 30;
        var engine = Engine("gemini", options);
        fake.Script.Enqueue(Scripted.Hang);
        using var cts = new CancellationTokenSource();

        var run = RunAsync(engine, Job("nano-banana"), cts.Token);
        await Eventually.UntilAsync(() => fake.GenerateCalls == 1, "the call never reached the provider");
        var stopwatch = Stopwatch.StartNew();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"stopped after {stopwatch.Elapsed.TotalMilliseconds} ms");
        Assert.Equal(BreakerState.Closed, engine.Breaker.State);
    }
}
