namespace Pingvas.Sdk;

/// <summary>How a <see cref="PingvasClient"/> reaches the API and retries.</summary>
public sealed record PingvasClientOptions
{
    /// <summary>What the README's run command serves.</summary>
    public const string DefaultBaseUrl = "http://127.0.0.1:5080";

    /// <summary>An API key, <c>pv_live_…</c>, sent as <c>Authorization: Bearer</c>.</summary>
    public required string ApiKey { get; init; }

    /// <summary>The server; null takes the given HttpClient's BaseAddress, else <see cref="DefaultBaseUrl"/>.</summary>
    public string? BaseUrl { get; init; }

    /// <summary>Retries after a 429 or 503 (or a connection error, for calls that are safe to repeat); 0 turns them off.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>The longest single wait before a retry: a <c>Retry-After</c> (or a quota reset) further away is thrown at once.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The first backoff when the answer gives no <c>Retry-After</c>; it doubles per retry, with jitter.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Told before each retry's wait (for logging, or tests).</summary>
    public Action<RetryNotice>? OnRetry { get; init; }

    /// <summary>The clock for waits and HTTP-date <c>Retry-After</c> values.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>A retry about to happen: the attempt that failed (1-based), why, and how long the client waits first.</summary>
public sealed record RetryNotice(int Attempt, int? Status, string? Code, TimeSpan Delay, Exception? Error);
