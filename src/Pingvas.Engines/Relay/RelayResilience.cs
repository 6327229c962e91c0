using System.Threading.RateLimiting;

using Microsoft.Extensions.Logging;

namespace Pingvas.Engines.Relay;

/// <summary>
/// What every call to one provider goes through: the circuit breaker, the per-provider rate limit
/// (a token bucket of <see cref="RelayProviderOptions.RequestsPerMinute"/>), a timeout per attempt
/// and bounded retries with exponential backoff and jitter on 429 (honouring Retry-After), 5xx,
/// timeouts and network errors. Outcomes leave as the engine contract's exceptions.
/// </summary>
public sealed class RelayResilience : IDisposable
{
    private readonly string provider;
    private readonly RelayProviderOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly TokenBucketRateLimiter limiter;

    public RelayResilience(string provider, RelayProviderOptions options, TimeProvider time, ILogger logger)
    {
        this.provider = provider;
        this.options = options;
        this.time = time;
        this.logger = logger;
        Breaker = new CircuitBreaker(Math.Max(1, options.BreakerFailures), TimeSpan.FromSeconds(options.BreakerCooldownSeconds), time);
        var perMinute = Math.Max(1, options.RequestsPerMinute);
        limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, options.Burst),
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / perMinute,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public CircuitBreaker Breaker { get; }

    /// <summary>Runs <paramref name="call"/> with retries; each attempt gets its own timeout token.</summary>
    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (!Breaker.TryEnter())
            {
                throw new RetryableEngineException("provider_unavailable", $"The {provider} API is failing; the job returns to the queue.");
            }

            ProviderException failure;
            try
            {
                using var lease = await limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
                using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attemptTimeout.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds));
                try
                {
                    var result = await call(attemptTimeout.Token).ConfigureAwait(false);
                    Breaker.RecordSuccess();
                    return result;
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = new ProviderException(ProviderFailure.Transient, $"No answer from {provider} within {options.TimeoutSeconds:0.#} s.", inner: ex);
                }
                catch (HttpRequestException ex)
                {
                    // The message names the host at most; the key travels in a header, never in the URL.
                    failure = new ProviderException(ProviderFailure.Transient, $"Could not reach {provider}: {ex.HttpRequestError}.", inner: ex);
                }
            }
            catch (ProviderException ex)
            {
                failure = ex;
            }
            catch
            {
                // Cancelled by the caller, or a bug: no verdict on the provider.
                Breaker.RecordAbandoned();
                throw;
            }

            Settle(failure);
            if (!failure.IsRetryable)
            {
                throw Final(failure);
            }

            if (attempt > options.MaxRetries)
            {
                throw new RetryableEngineException("provider_error", $"The {provider} API failed {attempt} times in a row.", failure);
            }

            var delay = Backoff(attempt, failure.RetryAfter);
            if (delay > TimeSpan.FromSeconds(options.MaxRetryDelaySeconds))
            {
                // The provider asks for a longer pause than a worker should sit idle: hand the job back.
                throw new RetryableEngineException("provider_busy", $"The {provider} API asked to wait {delay.TotalSeconds:0} s.", failure);
            }

            logger.LogWarning("{Provider} call failed ({Failure}: {Message}); retry {Attempt} of {MaxRetries} in {DelayMs} ms",
                provider, failure.Failure, failure.Message, attempt, options.MaxRetries, (long)delay.TotalMilliseconds);
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Exponential backoff with jitter (half fixed, half random); a Retry-After wins when longer.</summary>
    public TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var exponential = options.RetryBaseDelayMs * Math.Pow(2, attempt - 1);
        var capped = Math.Min(exponential, options.MaxRetryDelaySeconds * 1000);
        var jittered = TimeSpan.FromMilliseconds((capped / 2) + (Random.Shared.NextDouble() * capped / 2));
        return retryAfter is { } asked && asked > jittered ? asked : jittered;
    }

    public void Dispose() => limiter.Dispose();

    /// <summary>Failures that say the provider is sick count against the breaker; a refusal or a bad request says it is well.</summary>
    private void Settle(ProviderException failure)
    {
        if (failure.Failure is ProviderFailure.Refused or ProviderFailure.Rejected)
        {
            Breaker.RecordSuccess();
        }
        else
        {
            Breaker.RecordFailure();
        }
    }

    private Exception Final(ProviderException failure) => failure.Failure switch
    {
        ProviderFailure.Refused => new EngineFailedException("content_refused",
            $"{provider} refused the prompt under its content policy; your credits were refunded.", failure),
        ProviderFailure.Rejected => new EngineFailedException("provider_rejected",
            $"{provider} rejected the request ({failure.Message}); your credits were refunded.", failure),
        _ => new RetryableEngineException("provider_unavailable", $"The {provider} API cannot take requests now.", failure),
    };
}
