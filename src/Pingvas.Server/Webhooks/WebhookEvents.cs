namespace Pingvas.Server.Webhooks;

/// <summary>The event types an endpoint may subscribe to.</summary>
public static class WebhookEvents
{
    public const string Queued = "generation.queued";
    public const string Started = "generation.started";
    public const string Succeeded = "generation.succeeded";
    public const string Failed = "generation.failed";
    public const string Cancelled = "generation.cancelled";
    public const string CreditsLow = "credits.low";

    /// <summary>Sent only by POST /webhook-endpoints/{id}/test, whatever the endpoint subscribes to.</summary>
    public const string Test = "webhook.test";

    public static readonly IReadOnlyList<string> Generation = [Queued, Started, Succeeded, Failed, Cancelled];

    public static readonly IReadOnlyList<string> All = [.. Generation, CreditsLow];

    /// <summary>What a per-generation webhook gets when the request names no events.</summary>
    public static readonly IReadOnlyList<string> Terminal = [Succeeded, Failed, Cancelled];

    public static string ForStatus(string status) => status switch
    {
        "queued" => Queued,
        "running" => Started,
        "succeeded" => Succeeded,
        "failed" => Failed,
        "cancelled" => Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "No webhook event for this status."),
    };
}
