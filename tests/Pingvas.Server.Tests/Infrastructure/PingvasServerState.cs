using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>The stopped server's SQLite file, opened directly, to leave the state a crashed process would.</summary>
public sealed class PingvasServerState : IAsyncDisposable
{
    private PingvasServerState(PingvasDb db) => Db = db;

    public PingvasDb Db { get; }

    public static Task<PingvasServerState> OpenAsync(PingvasServer server)
    {
        var options = new DbContextOptionsBuilder<PingvasDb>()
            .UseSqlite($"Data Source={Path.Combine(server.DataPath, "pingvas.db")};Foreign Keys=True;Pooling=False")
            .Options;
        return Task.FromResult(new PingvasServerState(new PingvasDb(options)));
    }

    public ValueTask DisposeAsync() => Db.DisposeAsync();
}
