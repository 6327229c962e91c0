using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

using Pingvas.Server.Accounts;

namespace Pingvas.Server.Realtime;

/// <summary>
/// Pushes <c>generation</c> events to the owner's connections only. Clients connect with the
/// access token in the <c>access_token</c> query parameter (browsers cannot set headers on WebSockets).
/// </summary>
[Authorize]
public sealed class ProgressHub : Hub
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

        await Groups.AddToGroupAsync(Context.ConnectionId, GroupFor(userId));
        await base.OnConnectedAsync();
    }
}
