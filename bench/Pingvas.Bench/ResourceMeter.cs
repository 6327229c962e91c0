using System.Diagnostics;
using System.Globalization;

using Npgsql;

namespace Pingvas.Bench;

/// <summary>
/// What a phase cost, besides wall time: CPU of this process (server + load generator, they share
/// it), CPU of every postgres process on the machine, the machine's busy share, and PostgreSQL's
/// own accounting for the bench database (<c>pg_stat_database</c>: time in active statements and
/// idle inside transactions, commits, rows read).
/// </summary>
public sealed class ResourceMeter(string benchDatabaseConnection)
{
    private readonly string databaseName = new NpgsqlConnectionStringBuilder(benchDatabaseConnection).Database!;

    public const double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>
    /// Before a phase: let PostgreSQL's statistics settle, then sample everything. After a phase
    /// (<paramref name="after"/>): CPU at once, PostgreSQL's statistics once they have settled.
    /// </summary>
    public async Task<ResourceSample> SampleAsync(bool after = false)
    {
        if (!after)
        {
            await SettleAsync();
        }

        var process = Process.GetCurrentProcess();
        process.Refresh();
        var (busy, total) = MachineJiffies();
        var at = Clock.Now;
        var cpu = process.TotalProcessorTime.TotalMilliseconds;
        var postgres = BackendCpuMs(databaseName);
        if (after)
        {
            await SettleAsync();
        }

        PgDatabaseStats? pg = null;
        await using (var connection = new NpgsqlConnection(benchDatabaseConnection))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT active_time, idle_in_transaction_time, xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, tup_updated " +
                "FROM pg_stat_database WHERE datname = current_database()", connection);
            await using var reader = await command.ExecuteReaderAsync();
            if (await reader.ReadAsync())
            {
                pg = new PgDatabaseStats(reader.GetDouble(0), reader.GetDouble(1), reader.GetInt64(2), reader.GetInt64(3),
                    reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7));
            }
        }

        return new ResourceSample(at, cpu, postgres, busy, total, pg);
    }

    // PostgreSQL 15 backends publish their pending statistics at most once a second, and an idle
    // backend does so about a second after it went idle.
    private static Task SettleAsync() => Task.Delay(1500);

    /// <summary>Whether pg_stat_statements can be read (it needs shared_preload_libraries; usually not set here).</summary>
    public async Task<bool> StatStatementsAvailableAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(benchDatabaseConnection);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_statements", connection);
            await command.ExecuteScalarAsync();
            return true;
        }
        catch (PostgresException)
        {
            return false;
        }
    }

    /// <summary>
    /// CPU (ms) of each PostgreSQL backend serving the bench database, by pid. A backend's process
    /// title names its database ("postgres: pingvas pingvas_bench_… 127.0.0.1(…) idle"), so other
    /// databases' backends on this shared server (other test runs) are not counted; neither are the
    /// server-wide background processes (WAL writer, checkpointer), which serve everyone.
    /// </summary>
    private static Dictionary<int, double> BackendCpuMs(string database)
    {
        var result = new Dictionary<int, double>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (!cmdline.StartsWith("postgres: ", StringComparison.Ordinal) || !cmdline.Contains($" {database} ", StringComparison.Ordinal))
                {
                    continue;
                }

                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
                result[pid] = ticks * 1000 / TicksPerSecond;
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        return result;
    }

    private static (double Busy, double Total) MachineJiffies()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Take(8).Sum();
        var idle = fields[3] + fields[4];
        return (total - idle, total);
    }
}

public sealed record PgDatabaseStats(double ActiveMs, double IdleInTransactionMs, long Commits, long Rollbacks, long TupReturned, long TupFetched, long TupInserted, long TupUpdated);

public sealed record ResourceSample(long At, double ProcessCpuMs, IReadOnlyDictionary<int, double> Backends, double MachineBusy, double MachineTotal, PgDatabaseStats? Pg)
{
    /// <summary>CPU the bench database's backends used between two samples (backends that started in between count from zero).</summary>
    public static double BackendCpuMs(ResourceSample before, ResourceSample after) =>
        after.Backends.Sum(b => b.Value - before.Backends.GetValueOrDefault(b.Key));

    /// <summary>Per-operation costs between two samples, for the <see cref="Measurement.Extra"/> of a phase.</summary>
    public static Dictionary<string, double> Costs(ResourceSample before, ResourceSample after, DbTimes db, long operations)
    {
        var n = Math.Max(1, operations);
        var extra = new Dictionary<string, double>
        {
            ["dbMsPerJob"] = Math.Round(db.TotalMs / n, 3),
            ["dbCommandsPerJob"] = Math.Round((double)db.Commands / n, 2),
            ["dbCommitsPerJob"] = Math.Round((double)db.Commits / n, 2),
            ["dbCommitMsPerJob"] = Math.Round(db.CommitMs / n, 3),
            ["poolOpenMsPerJob"] = Math.Round(db.OpenMs / n, 3),
            ["processCpuMsPerJob"] = Math.Round((after.ProcessCpuMs - before.ProcessCpuMs) / n, 3),
            ["postgresCpuMsPerJob"] = Math.Round(BackendCpuMs(before, after) / n, 3),
        };
        // Shares of the whole machine (both cores) during the phase; "other" is everything else
        // running on it (other builds and tests on this shared machine, PostgreSQL's background
        // writers): the noise indicator.
        var jiffies = Math.Max(1, after.MachineTotal - before.MachineTotal);
        var busy = 100 * (after.MachineBusy - before.MachineBusy) / jiffies;
        var own = 100 * (after.ProcessCpuMs - before.ProcessCpuMs) / 1000 * ResourceMeter.TicksPerSecond / jiffies;
        var postgres = 100 * BackendCpuMs(before, after) / 1000 * ResourceMeter.TicksPerSecond / jiffies;
        extra["machineBusyPercent"] = Math.Round(busy, 1);
        extra["benchProcessPercent"] = Math.Round(own, 1);
        extra["postgresPercent"] = Math.Round(postgres, 1);
        extra["otherPercent"] = Math.Round(Math.Max(0, busy - own - postgres), 1);
        if (before.Pg is { } a && after.Pg is { } b)
        {
            extra["pgActiveMsPerJob"] = Math.Round((b.ActiveMs - a.ActiveMs) / n, 3);
            extra["pgIdleInTxMsPerJob"] = Math.Round((b.IdleInTransactionMs - a.IdleInTransactionMs) / n, 3);
            extra["pgCommitsPerJob"] = Math.Round((double)(b.Commits - a.Commits) / n, 2);
            extra["pgRowsReadPerJob"] = Math.Round((double)(b.TupReturned - a.TupReturned) / n, 1);
        }

        return extra;
    }
}
