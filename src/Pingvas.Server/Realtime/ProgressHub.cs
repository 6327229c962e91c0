using System.Globalization;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;

namespace Pingvas.Server.Realtime;

/// <summary>
/// Pushes <c>generation</c> events to the owner's connections only. Clients connect with the
/// access token in the <c>access_token</c> query parameter (browsers cannot set headers on WebSockets).
/// On connect the client first gets the current state of its jobs (<see cref="JobSnapshots"/>):
/// active ones, and those finished since <c>?since=</c> (ISO 8601) or in the last five minutes;
/// live events follow.
/// </summary>
[Authorize]
public sealed class ProgressHub(IServiceScopeFactory scopes, HubConnections connections, TimeProvider time) : Hub
{
    public const string Path = "/hubs/progress";
    public const string GenerationEvent = "generation";

    public static string GroupFor(Guid userId) => $"user:{userId:N}";

    public override async Task OnConnectedAsync()
    {
        if (CurrentUser.TryGetId(Context.User) is not { } userId)
        {
            Context.Abort();
            return;
        }

        // Registered before the account is looked at again: a sign-out that commits after the
        // connect request was authenticated either finds this connection to close, or is seen here.
        connections.Connected(userId, Context);
        try
        {
            await using var scope = scopes.CreateUserScope(userId);
            if (!await MayStillActAsync(scope.ServiceProvider.GetRequiredService<PingvasDb>(), userId))
            {
                Context.Abort();
                return;
            }

            // The snapshot first, then the group, then what changed status in between: live events
            // follow the snapshot (none is older than it), and a final event sent meanwhile is not missed.
            var snapshots = scope.ServiceProvider.GetRequiredService<JobSnapshots>();
            var since = Since();
            var sent = new Dictionary<Guid, string>();
            foreach (var generation in await snapshots.ForUserAsync(userId, since, Context.ConnectionAborted))
            {
                await Clients.Caller.SendAsync(GenerationEvent, generation, Context.ConnectionAborted);
                sent[generation.Id] = generation.Status;
            }

            await Groups.AddToGroupAsync(Context.ConnectionId, GroupFor(userId));
            foreach (var generation in await snapshots.ForUserAsync(userId, since, Context.ConnectionAborted))
            {
                if (!sent.TryGetValue(generation.Id, out var status) || status != generation.Status)
                {
                    await Clients.Caller.SendAsync(GenerationEvent, generation, Context.ConnectionAborted);
                }
            }
        }
        catch
        {
            // SignalR does not call OnDisconnectedAsync when OnConnectedAsync fails.
            connections.Disconnected(userId, Context.ConnectionId);
            throw;
        }

        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        if (CurrentUser.TryGetId(Context.User) is { } userId)
        {
            connections.Disconnected(userId, Context.ConnectionId);
        }

        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>The account is not suspended and the token's version is current (one row by key).</summary>
    private async Task<bool> MayStillActAsync(PingvasDb db, Guid userId)
    {
        var version = SessionClaims.VersionOf(Context.User);
        return await db.Users.AsNoTracking()
            .AnyAsync(u => u.Id == userId && !u.Suspended && u.TokenVersion == version, Context.ConnectionAborted);
    }

    private DateTime Since()
    {
        var now = time.GetUtcNow().UtcDateTime;
        var asked = Context.GetHttpContext()?.Request.Query["since"].ToString();
        return DateTime.TryParse(asked, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var since)
            ? new[] { since, now - JobSnapshots.MaxWindow }.Max()
            : now - JobSnapshots.DefaultWindow;
    }
}
