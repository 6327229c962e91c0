namespace Pingvas.Server.Webhooks;

/// <summary>Settings of webhooks (section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    /// <summary>Lets targets on loopback, private and link-local addresses through: tests only (a warning at start).</summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>How long one attempt may take.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>How long a message is retried before it is given up.</summary>
    public int RetryHours { get; set; } = 24;

    /// <summary>An endpoint failing without a success this long is disabled and its owner emailed.</summary>
    public int DisableAfterDays { get; set; } = 3;

    /// <summary>Deliveries one process sends at once (to different targets; one target gets one at a time).</summary>
    public int Parallelism { get; set; } = 16;

    /// <summary>Deliveries (with their attempt logs) are deleted this many days after they were made.</summary>
    public int DeliveryLogDays { get; set; } = 30;

    /// <summary>How often old deliveries are pruned.</summary>
    public int PruneIntervalMinutes { get; set; } = 60;

    public const int MaxEndpointsPerUser = 10;
}
