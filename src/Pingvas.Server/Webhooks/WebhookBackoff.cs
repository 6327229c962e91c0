namespace Pingvas.Server.Webhooks;

/// <summary>When to try a failed delivery again: about 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, then every 2–4 h.</summary>
public static class WebhookBackoff
{
    private static readonly TimeSpan[] Steps =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2),
        TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1),
    ];

    /// <summary>The pause after the <paramref name="attempts"/>-th failed attempt, with ±20% jitter (2–4 h past the table).</summary>
    public static TimeSpan After(int attempts, Random random)
    {
        if (attempts - 1 < Steps.Length)
        {
            var step = Steps[Math.Max(0, attempts - 1)];
            return step * (0.8 + (0.4 * random.NextDouble()));
        }

        return TimeSpan.FromHours(2 + (2 * random.NextDouble()));
    }
}
