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

    /// <summary>How long a process reuses what it read about idle workers (<see cref="IdleFleet"/>).</summary>
    public int IdleFleetCacheMilliseconds { get; set; } = 500;

    /// <summary>
    /// Relative speed of each GPU class (an A10G is 1): among free workers that fit a job, the fastest
    /// takes it. Classes not listed count as 1; <c>relay</c> is never compared (it serves only relay models).
    /// Set one as <c>Workers__GpuSpeeds__l40s=1.8</c>.
    /// </summary>
    public Dictionary<string, double> GpuSpeeds { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["h100"] = 4.0,
        ["a100"] = 2.5,
        ["a10g"] = 1.0,
        ["l4"] = 0.9,
        ["t4"] = 0.5,
        [GpuClasses.Cpu] = 0.1,
    };

    /// <summary>
    /// Models a fleet that scales to zero serves, with the engine that runs them
    /// (<c>Workers__ScaledModels__sdxl-1.0=invokeai</c>): they count as available while no live
    /// worker lists them, so their jobs queue and the queue depth wakes a worker (KEDA) instead of
    /// the submit being refused with <c>model_unavailable</c>. A live worker's listing wins.
    /// </summary>
    public Dictionary<string, string> ScaledModels { get; set; } = new(StringComparer.Ordinal);

    public double? SpeedOf(string gpuClass) =>
        gpuClass == GpuClasses.Relay ? null : GpuSpeeds.TryGetValue(gpuClass, out var speed) ? speed : 1.0;

    public TimeSpan Stale => TimeSpan.FromSeconds(StaleSeconds);
}
