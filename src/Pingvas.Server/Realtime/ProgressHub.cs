using System.Globalization;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;

namespace Pingvas.Server.Realtime;

/// <summary>
/// Pushes <c>generation</c> events to the owner's connections only. Clients connect with the
/// access token in the <c>access_token</c> query parameter (browsers cannot set headers on WebSockets).
/// On connect the client first gets the current state of its jobs (<see cref="JobSnapshots"/>):
/// active ones, and those finished since <c>?since=</c> (ISO 8601) or in the last five minutes.
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

        // Join first, then send the snapshot: an event in between is sent twice, never missed.
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupFor(userId));
        connections.Connected(userId);
        await using (var scope = scopes.CreateUserScope(userId))
        {
            var snapshot = scope.ServiceProvider.GetRequiredService<JobSnapshots>();
            foreach (var generation in await snapshot.ForUserAsync(userId, Since(), Context.ConnectionAborted))
            {
                await Clients.Caller.SendAsync(GenerationEvent, generation, Context.ConnectionAborted);
            }
        }

        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        if (CurrentUser.TryGetId(Context.User) is { } userId)
        {
            connections.Disconnected(userId);
        }

        return base.OnDisconnectedAsync(exception);
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
