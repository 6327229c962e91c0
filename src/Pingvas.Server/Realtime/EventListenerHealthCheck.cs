using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pingvas.Server.Realtime;

/// <summary>
/// Degraded — not unhealthy — while the listening connection is down: the process still serves
/// requests and runs jobs (clients poll, workers poll), it only misses live events and wake-ups.
/// </summary>
public sealed class EventListenerHealthCheck(PostgresListener listener) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(listener.IsListening
            ? HealthCheckResult.Healthy($"Listening since {listener.Since:O}.")
            : HealthCheckResult.Degraded($"Not listening for events since {listener.Since:O}; reconnecting. Live progress and wake-ups are delayed; polling works."));
}
