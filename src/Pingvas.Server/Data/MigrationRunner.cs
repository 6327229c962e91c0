using System.Data.Common;
using System.Reflection;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Pingvas.Server.Data;

/// <summary>
/// Applies the ordered SQL scripts embedded under Data/Migrations/{provider}/, each once, each in
/// its own transaction, recording them in <c>schema_migrations</c>. Hand-written because EF Core
/// Design is not available on this stack; plain SQL keeps both providers explicit.
/// </summary>
public sealed class MigrationRunner(PingvasDb db, ILogger<MigrationRunner> logger)
{
    public static IReadOnlyList<(string Id, string Sql)> Scripts(string provider)
    {
        var assembly = typeof(MigrationRunner).Assembly;
        // Resource names follow the root namespace and folder: Pingvas.Server.Data.Migrations.sqlite.0001_initial.sql
        var prefix = $"Pingvas.Server.Data.Migrations.{provider}.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (Id: n[prefix.Length..^4], Sql: Read(assembly, n)))
            .ToList();
    }

    public string Provider => db.Database.IsNpgsql() ? "postgres" : "sqlite";

    /// <summary>The scripts not yet applied to this database.</summary>
    public async Task<IReadOnlyList<string>> PendingAsync(CancellationToken ct)
    {
        var applied = await AppliedAsync(ct);
        return Scripts(Provider).Select(s => s.Id).Where(id => !applied.Contains(id)).ToList();
    }

    public async Task<int> MigrateAsync(CancellationToken ct)
    {
        await ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL)", ct);
        if (Provider == "sqlite")
        {
            // WAL lets readers proceed while the single writer commits; the setting persists in the file.
            await ExecuteAsync("PRAGMA journal_mode=WAL", ct);
        }
        else
        {
            // The scripts run as raw commands, past the tenant interceptor: a script that moves
            // rows must see every user's (row-level security fails closed).
            await ExecuteAsync($"SELECT set_config('pingvas.user_id', '{TenantSessionInterceptor.SystemValue}', false)", ct);
        }

        var applied = await AppliedAsync(ct);
        var count = 0;
        foreach (var (id, sql) in Scripts(Provider).Where(s => !applied.Contains(s.Id)))
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await ExecuteAsync(sql, ct);
            await db.Database.ExecuteSqlAsync($"INSERT INTO schema_migrations (id, applied_at) VALUES ({id}, {DateTime.UtcNow.ToString("O")})", ct);
            await tx.CommitAsync(ct);
            logger.LogInformation("Applied migration {Migration}", id);
            count++;
        }

        return count;
    }

    private async Task<HashSet<string>> AppliedAsync(CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(ct);
        }

        var exists = Provider == "sqlite"
            ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            : "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'";
        if (Convert.ToInt64(await ScalarAsync(connection, exists, ct)) == 0)
        {
            return [];
        }

        var ids = await db.Database.SqlQueryRaw<string>("SELECT id AS \"Value\" FROM schema_migrations").ToListAsync(ct);
        return ids.ToHashSet(StringComparer.Ordinal);
    }

    private async Task ExecuteAsync(string sql, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(ct);
        }

        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(ct);
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
