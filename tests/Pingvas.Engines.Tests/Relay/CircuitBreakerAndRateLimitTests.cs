using System.Diagnostics;

using Pingvas.Engines.Relay;
using Pingvas.Relay.Fakes;

using static Pingvas.Engines.Tests.Relay.RelayTestKit;

namespace Pingvas.Engines.Tests.Relay;

/// <summary>The per-provider circuit breaker and rate limit, against the local Gemini server.</summary>
public sealed class CircuitBreakerAndRateLimitTests : IAsyncLifetime
{
    private FakeProviderServer fake = null!;

    public async Task InitializeAsync() => fake = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await fake.DisposeAsync();

    [Fact]
    public async Task The_breaker_opens_after_consecutive_failures_probes_after_the_cooldown_and_closes_on_success()
    {
        var options = Options(fake, "gemini");
        options.MaxRetries = 0;
        options.BreakerFailures = 2;
        options.BreakerCooldownSeconds = 0.4;
        var engine = Engine("gemini", options);
        fake.Script.Enqueue(Scripted.ServerError);
        fake.Script.Enqueue(Scripted.Unavailable);

        Assert.Equal("provider_error", (await Assert.ThrowsAsync<RetryableEngineException>(() => RunAsync(engine, Job("nano-banana")))).Code);
        Assert.Equal(BreakerState.Closed, engine.Breaker.State);
        Assert.Equal("provider_error", (await Assert.ThrowsAsync<RetryableEngineException>(() => RunAsync(engine, Job("nano-banana")))).Code);
        Assert.Equal(BreakerState.Open, engine.Breaker.State);

        // Open: the job goes back to the queue without a call, and a refresh says the provider is unreachable.
        var open = await Assert.ThrowsAsync<RetryableEngineException>(() => RunAsync(engine, Job("nano-banana")));
        Assert.Equal("provider_unavailable", open.Code);
        Assert.Equal(2, fake.GenerateCalls);
        await Assert.ThrowsAsync<RetryableEngineException>(() => engine.RefreshAsync(CancellationToken.None));

        // Half-open after the cool-down: a failed probe opens it again at once.
        await Eventually.UntilAsync(() => engine.Breaker.State == BreakerState.HalfOpen, "the breaker never went half-open");
        fake.Script.Enqueue(Scripted.ServerError);
        await Assert.ThrowsAsync<RetryableEngineException>(() => RunAsync(engine, Job("nano-banana")));
        Assert.Equal(BreakerState.Open, engine.Breaker.State);
        Assert.Equal(3, fake.GenerateCalls);

        // The next probe succeeds: closed, and calls flow again.
        await Eventually.UntilAsync(() => engine.Breaker.State == BreakerState.HalfOpen, "the breaker never went half-open again");
        await engine.RefreshAsync(CancellationToken.None);
        Assert.Single((await RunAsync(engine, Job("nano-banana"))).Images);
        Assert.Equal(BreakerState.Closed, engine.Breaker.State);
        Assert.Single((await RunAsync(engine, Job("nano-banana"))).Images);
        Assert.Equal(5, fake.GenerateCalls);
    }

    [Fact]
    public void Half_open_lets_exactly_one_probe_through()
    {
        var time = new ManualTime();
        var breaker = new CircuitBreaker(1, TimeSpan.FromSeconds(10), time);
        breaker.RecordFailure();
        Assert.False(breaker.TryEnter());

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(breaker.TryEnter());
        Assert.False(breaker.TryEnter());
        breaker.RecordAbandoned();
        Assert.True(breaker.TryEnter());
        breaker.RecordSuccess();
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public async Task The_rate_limit_paces_calls_to_the_configured_requests_per_minute()
    {
        var options = Options(fake, "gemini");
        options.RequestsPerMinute = 240;
        options.Burst = 1;
        var engine = Engine("gemini", options);
        var stopwatch = Stopwatch.StartNew();

        // Two engines' worth of work in parallel share the provider's one bucket.
        await Task.WhenAll(RunAsync(engine, Job("nano-banana", batch: 2)), RunAsync(engine, Job("nano-banana", batch: 2)));

        // The bucket refills on a fixed 250 ms tick: the first call may meet a tick early, the other three
        // each wait a whole one. Lower bounds only: a loaded machine can delay a call, never hasten one;
        // arrival times at the server can bunch up in transit, so only the whole span is checked there.
        var at = fake.Calls.Select(c => c.At).Order().ToList();
        Assert.Equal(4, at.Count);
        Assert.True(at[3] - at[0] >= TimeSpan.FromMilliseconds(400), $"four calls took {(at[3] - at[0]).TotalMilliseconds} ms");
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(450));
    }

    [Fact]
    public void Backoff_doubles_with_jitter_and_honours_a_longer_Retry_After()
    {
        var options = Options(fake, "gemini");
        options.RetryBaseDelayMs = 100;
        options.MaxRetryDelaySeconds = 1;
        using var resilience = new RelayResilience("gemini", options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        for (var attempt = 1; attempt <= 6; attempt++)
        {
            var expected = Math.Min(100 * Math.Pow(2, attempt - 1), 1000);
            var delay = resilience.Backoff(attempt, null).TotalMilliseconds;
            Assert.InRange(delay, expected / 2, expected);
        }

        Assert.Equal(TimeSpan.FromSeconds(3), resilience.Backoff(1, TimeSpan.FromSeconds(3)));
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset now = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }
}
