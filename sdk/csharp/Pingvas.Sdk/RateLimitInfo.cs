namespace Pingvas.Sdk;

/// <summary>
/// The last <c>RateLimit-Limit</c> / <c>RateLimit-Remaining</c> / <c>RateLimit-Reset</c> the API sent:
/// this month's API calls and the seconds until they reset (unlimited plans send none).
/// </summary>
public sealed record RateLimitInfo(long? Limit, long? Remaining, TimeSpan? Reset, DateTimeOffset ObservedAt)
{
    /// <summary>When the period resets, from <see cref="Reset"/> and the time the answer was seen.</summary>
    public DateTimeOffset? ResetAt => Reset is { } reset ? ObservedAt + reset : null;
}
