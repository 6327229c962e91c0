using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Accounts;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Workers;

namespace Pingvas.Server.Tests.Workers;

/// <summary>Reading the registry and arranging admins, for the worker tests.</summary>
public static class WorkerRows
{
    public static Task<List<WorkerRow>> AllAsync(PingvasServer server) =>
        server.QueryAsync(db => db.Workers.AsNoTracking().OrderBy(w => w.Id).ToListAsync());

    public static async Task<WorkerRow> OneAsync(PingvasServer server, string id) =>
        await server.QueryAsync(db => db.Workers.AsNoTracking().SingleAsync(w => w.Id == id));

    /// <summary>Waits (bounded) until the worker's row matches.</summary>
    public static async Task<WorkerRow> WaitForAsync(PingvasServer server, string id, Func<WorkerRow, bool> match, string because)
    {
        WorkerRow? row = null;
        await Eventually.UntilAsync(async () => (row = await server.QueryAsync(db => db.Workers.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id))) is { } r && match(r),
            TimeSpan.FromSeconds(30), because);
        return row!;
    }

    /// <summary>Makes the user an admin the way an operator does: the role column of the account (README "Administrators").</summary>
    public static Task MakeAdminAsync(PingvasServer server, Guid userId, string role = Roles.Admin) =>
        server.QueryAsync(db => db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.Role, role)));
}

public sealed record WorkerBody(
    string Id, string Process, string Role, string Engine, string Instance, string GpuClass, List<string> Models, string? LoadedModel,
    string State, Guid? CurrentJobId, long JobsDone, long BusyMs, double Utilisation, DateTime HeartbeatAt, DateTime StartedAt);

public sealed record WorkerListBody(List<WorkerBody> Items);

public sealed record ModelBody(string Id, bool Allowed, bool Available, string? Engine);
