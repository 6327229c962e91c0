namespace Pingvas.Server.Workers;

/// <summary>The worker registry's timing (section <c>Workers</c>).</summary>
public sealed class WorkersOptions
{
    /// <summary>Engines re-read what they serve (<c>RefreshAsync</c>) this often; an unhealthy engine is retried sooner, with backoff.</summary>
    public int RefreshSeconds { get; set; } = 60;

    /// <summary>Each process stamps its workers' rows this often.</summary>
    public int HeartbeatSeconds { get; set; } = 10;

    /// <summary>A row not stamped for this long is stale: excluded from availability and the admin list.</summary>
    public int StaleSeconds { get; set; } = 30;

    /// <summary>How long a process reuses what it read about model availability.</summary>
    public int AvailabilityCacheMilliseconds { get; set; } = 2000;

    /// <summary>How often the purge of long-stale rows runs (0: never).</summary>
    public int PurgeIntervalMinutes { get; set; } = 10;

    public TimeSpan Stale => TimeSpan.FromSeconds(StaleSeconds);
}
