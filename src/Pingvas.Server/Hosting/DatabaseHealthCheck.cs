using Microsoft.Extensions.Diagnostics.HealthChecks;

using Pingvas.Server.Data;

namespace Pingvas.Server.Hosting;

public sealed class DatabaseHealthCheck(PingvasDb db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The database cannot be reached.");
}
