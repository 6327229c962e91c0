using Pingvas.Server.Data;

namespace Pingvas.Server.Workers;

/// <summary>One live worker as the admin list shows it.</summary>
public sealed record WorkerResponse(
    string Id, string Process, string Role, string Engine, string Instance, string GpuClass, IReadOnlyList<string> Models, string? LoadedModel,
    string State, Guid? CurrentJobId, long JobsDone, long BusyMs, double Utilisation, DateTime HeartbeatAt, DateTime StartedAt);

public sealed record WorkerListResponse(IReadOnlyList<WorkerResponse> Items);

public static class AdminWorkerEndpoints
{
    /// <summary>Maps under the admin group (<c>/api/v1/admin</c>), whose policy admits admins only.</summary>
    public static RouteGroupBuilder MapAdminWorkers(this RouteGroupBuilder admin)
    {
        admin.MapGet("/workers", ListWorkers).WithTags("Admin");
        return admin;
    }

    /// <summary>The fresh workers of every process (stale ones drop out); a fleet is small, so one unpaged list.</summary>
    private static async Task<WorkerListResponse> ListWorkers(PingvasDb db, DatabaseTenant tenant, WorkerRegistry registry, CancellationToken ct)
    {
        List<WorkerRow> rows;
        using (tenant.AsSystem())
        {
            rows = await registry.FreshAsync(db, ct);
        }

        return new WorkerListResponse(rows.Select(w => new WorkerResponse(
            w.Id, w.Process, w.Role, w.Engine, w.Instance, w.GpuClass, WorkerModels.Split(w.Models), w.LoadedModel, w.State, w.CurrentJobId,
            w.JobsDone, w.BusyMs, Utilisation(w), w.HeartbeatAt, w.StartedAt)).ToList());
    }

    /// <summary>
    /// The share of its uptime (start to last heartbeat) spent on jobs that have finished, 0 to 1.
    /// A run in progress counts once it finishes.
    /// </summary>
    public static double Utilisation(WorkerRow worker)
    {
        var uptime = (worker.HeartbeatAt - worker.StartedAt).TotalMilliseconds;
        return uptime <= 0 ? 0 : Math.Round(Math.Clamp(worker.BusyMs / uptime, 0, 1), 4);
    }
}
