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

    public const int MaxEndpointsPerUser = 10;
}
