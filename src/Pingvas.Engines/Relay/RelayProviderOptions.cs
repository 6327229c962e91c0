namespace Pingvas.Engines.Relay;

/// <summary>
/// One external provider's settings (<c>Engines:Relay:{Gemini|Stability|Replicate}</c>). The provider
/// serves its catalog model only when <see cref="ApiKey"/> is set; the key comes from the environment.
/// </summary>
public sealed class RelayProviderOptions
{
    /// <summary>Secret: never logged, never in an exception message.</summary>
    public string? ApiKey { get; set; }

    public string BaseUrl { get; set; } = "";

    /// <summary>The provider's own model name (e.g. <c>gemini-2.5-flash-image</c>).</summary>
    public string Model { get; set; } = "";

    /// <summary>The catalog model id this provider serves (e.g. <c>nano-banana</c>).</summary>
    public string CatalogModel { get; set; } = "";

    /// <summary>Jobs run at once (worker loops on this provider).</summary>
    public int Concurrency { get; set; } = 2;

    /// <summary>Provider calls per minute, as a token bucket shared by this process's worker loops.</summary>
    public int RequestsPerMinute { get; set; } = 60;

    /// <summary>Calls that may go out back to back before the per-minute pace applies.</summary>
    public int Burst { get; set; } = 1;

    /// <summary>The provider's published price per image, used when it does not report the cost itself.</summary>
    public decimal PriceUsdPerImage { get; set; }

    /// <summary>Limit for one provider call (for Replicate: create, wait and poll together).</summary>
    public double TimeoutSeconds { get; set; } = 120;

    /// <summary>Further attempts of one call after a 429, a 5xx, a timeout or a network error.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>First backoff; it doubles per retry, with full jitter, up to <see cref="MaxRetryDelaySeconds"/>.</summary>
    public double RetryBaseDelayMs { get; set; } = 500;

    public double MaxRetryDelaySeconds { get; set; } = 30;

    /// <summary>Consecutive failed calls that open the circuit breaker.</summary>
    public int BreakerFailures { get; set; } = 5;

    /// <summary>How long the breaker stays open before one probe call may try again.</summary>
    public double BreakerCooldownSeconds { get; set; } = 30;

    /// <summary>Replicate: pause between polls of a prediction that is still running.</summary>
    public int PollIntervalMs { get; set; } = 1000;

    /// <summary>Replicate: hosts output images may be downloaded from (exact, or <c>*.suffix</c>).</summary>
    public List<string> DownloadHosts { get; set; } = [];

    /// <summary>
    /// Replicate, tests only: allows plain http and loopback/private addresses for the listed
    /// download hosts. Off in production, where a download goes over https to a public address only.
    /// </summary>
    public bool AllowPrivateDownloads { get; set; }

    /// <summary>Largest image download accepted, in bytes.</summary>
    public long MaxImageBytes { get; set; } = 50L * 1024 * 1024;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ApiKey) && !string.IsNullOrWhiteSpace(CatalogModel);
}
