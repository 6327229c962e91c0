namespace Pingvas.Engines.Relay;

/// <summary>How a failed provider call is handled.</summary>
public enum ProviderFailure
{
    /// <summary>429: retried after Retry-After (or the backoff); counts against the breaker.</summary>
    Throttled,

    /// <summary>5xx, a timeout, a broken connection, a garbled answer: retried with backoff; counts against the breaker.</summary>
    Transient,

    /// <summary>Our side of the account is unusable (bad key, out of provider credit): not retried here, the job goes back to the queue.</summary>
    Unavailable,

    /// <summary>The provider refused the prompt under its content policy: the job fails (<c>content_refused</c>).</summary>
    Refused,

    /// <summary>Any other 4xx: the request itself is wrong; the job fails (<c>provider_rejected</c>).</summary>
    Rejected,
}

/// <summary>
/// A provider call that did not produce images. The message is built by our code from the status
/// and the provider's error text, never from request headers, so it cannot carry the API key.
/// </summary>
public sealed class ProviderException(ProviderFailure failure, string message, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public ProviderFailure Failure { get; } = failure;

    /// <summary>The provider's Retry-After on a 429, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public bool IsRetryable => Failure is ProviderFailure.Throttled or ProviderFailure.Transient;
}
