using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;

namespace Pingvas.Server.Realtime;

/// <summary>
/// Closes the open hub connections of a user whose tokens were just revoked (sign out everywhere,
/// password change, suspension), on every API process. Called after the revocation committed, so a
/// client's reconnect is refused (401) rather than let in again with the old token. Best effort:
/// should it not arrive, a connection still ends when its access token expires (at most 15 minutes).
/// Callers pass <see cref="CancellationToken.None"/>: the revocation has committed, so the close is
/// finished even when the client that asked for it hangs up.
/// </summary>
public interface IHubSignOut
{
    Task SignOutAsync(Guid userId, CancellationToken ct);

    /// <summary>Ends the event streams opened with an API key that was just revoked, on every API process.</summary>
    Task KeyRevokedAsync(Guid keyId, CancellationToken ct);
}

/// <summary>One process (SQLite): every hub connection is here.</summary>
public sealed class LocalHubSignOut(HubConnections connections, GenerationStreams streams) : IHubSignOut
{
    public Task SignOutAsync(Guid userId, CancellationToken ct)
    {
        connections.CloseLocal(userId);
        return Task.CompletedTask;
    }

    public Task KeyRevokedAsync(Guid keyId, CancellationToken ct)
    {
        streams.CloseKey(keyId);
        return Task.CompletedTask;
    }
}

/// <summary>
/// PostgreSQL: closes this process's connections at once and sends the user id on
/// <see cref="EventChannels.SignOut"/> (a key id on <see cref="EventChannels.KeyRevoked"/>), which
/// every API process listens to and handles the same way (<see cref="PostgresListener"/>); this one
/// too, harmlessly.
/// </summary>
public sealed class PostgresHubSignOut(PingvasDb db, HubConnections connections, GenerationStreams streams, ILogger<PostgresHubSignOut> logger) : IHubSignOut
{
    public async Task SignOutAsync(Guid userId, CancellationToken ct)
    {
        connections.CloseLocal(userId);
        await NotifyAsync(EventChannels.SignOut, userId, ct);
    }

    public async Task KeyRevokedAsync(Guid keyId, CancellationToken ct)
    {
        streams.CloseKey(keyId);
        await NotifyAsync(EventChannels.KeyRevoked, keyId, ct);
    }

    private async Task NotifyAsync(string channel, Guid id, CancellationToken ct)
    {
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({channel}, {id.ToString()})", ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Revoked already: what other processes hold ends when its token expires or its client leaves, and cannot reconnect.
            logger.LogWarning(ex, "Could not tell the other processes on {Channel} about {Id}", channel, id);
        }
    }
}
