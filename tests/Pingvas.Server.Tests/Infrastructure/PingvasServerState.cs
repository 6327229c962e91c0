using Pingvas.Server.Data;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>The stopped server's database, opened directly, to leave the state a crashed process would.</summary>
public sealed class PingvasServerState : IAsyncDisposable
{
    private PingvasServerState(PingvasDb db) => Db = db;

    public PingvasDb Db { get; }

    public static Task<PingvasServerState> OpenAsync(PingvasServer server) =>
        Task.FromResult(new PingvasServerState(server.Database.Open(server.DataPath)));

    public ValueTask DisposeAsync() => Db.DisposeAsync();
}
