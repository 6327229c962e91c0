using System.Collections.Concurrent;

namespace Pingvas.Server.Realtime;

/// <summary>The users with a hub connection to this process, so events missed while its listener was down can be resent to them.</summary>
public sealed class HubConnections
{
    private readonly ConcurrentDictionary<Guid, int> users = new();

    public void Connected(Guid userId) => users.AddOrUpdate(userId, 1, (_, n) => n + 1);

    public void Disconnected(Guid userId)
    {
        if (users.AddOrUpdate(userId, 0, (_, n) => n - 1) <= 0)
        {
            users.TryRemove(new KeyValuePair<Guid, int>(userId, 0));
        }
    }

    public IReadOnlyList<Guid> Users => [.. users.Keys];
}
