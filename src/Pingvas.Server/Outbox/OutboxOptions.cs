namespace Pingvas.Server.Outbox;

/// <summary>Settings of the outbox (section <c>Outbox</c>).</summary>
public sealed class OutboxOptions
{
    /// <summary>Fallback poll when no wake-up arrives; the row is the truth, the wake-up only makes it prompt.</summary>
    public int PollMilliseconds { get; set; } = 2000;

    /// <summary>Messages one dispatcher takes at a time.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>How long a dispatcher may take to deliver a batch before another process takes it over.</summary>
    public int LockSeconds { get; set; } = 60;

    /// <summary>Deliveries tried before a message is given up (kept as failed for inspection).</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>First pause after a failed delivery, doubling per attempt (capped at an hour).</summary>
    public double RetryBackoffSeconds { get; set; } = 2;

    /// <summary>Delivered messages are deleted this long after delivery; failed ones after a week.</summary>
    public int RetentionMinutes { get; set; } = 60;

    /// <summary>How often delivered and given-up messages are pruned.</summary>
    public int PruneIntervalMinutes { get; set; } = 10;

    public TimeSpan BackoffFor(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(3600, RetryBackoffSeconds * Math.Pow(2, Math.Clamp(attempts - 1, 0, 20))));
}
