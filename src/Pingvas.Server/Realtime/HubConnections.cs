using Microsoft.AspNetCore.SignalR;

namespace Pingvas.Server.Realtime;

/// <summary>
/// The hub connections open on this process, by user: so events missed while its listener was down
/// can be resent to them, and so a user who was signed out everywhere or suspended can be cut off at
/// once (<see cref="CloseLocal"/>) instead of listening until the token expires.
/// </summary>
public sealed class HubConnections(GenerationStreams streams)
{
    private readonly Lock gate = new();
    private readonly Dictionary<Guid, Dictionary<string, HubCallerContext>> users = [];

    public void Connected(Guid userId, HubCallerContext connection)
    {
        lock (gate)
        {
            if (!users.TryGetValue(userId, out var connections))
            {
                connections = [];
                users[userId] = connections;
            }

            connections[connection.ConnectionId] = connection;
        }
    }

    public void Disconnected(Guid userId, string connectionId)
    {
        lock (gate)
        {
            if (users.TryGetValue(userId, out var connections) && connections.Remove(connectionId) && connections.Count == 0)
            {
                users.Remove(userId);
            }
        }
    }

    public IReadOnlyList<Guid> Users
    {
        get
        {
            lock (gate)
            {
                return [.. users.Keys];
            }
        }
    }

    /// <summary>Closes every connection of the user on this process; returns how many. Their reconnects are refused by the token check.</summary>
    public int CloseLocal(Guid userId)
    {
        List<HubCallerContext> closing;
        lock (gate)
        {
            closing = users.TryGetValue(userId, out var connections) ? [.. connections.Values] : [];
        }

        // Abort only signals the transport to end: OnDisconnectedAsync then removes each entry.
        foreach (var connection in closing)
        {
            connection.Abort();
        }

        // The user's event streams here end too.
        return closing.Count + streams.CloseUser(userId);
    }
}
