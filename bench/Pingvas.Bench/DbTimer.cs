using System.Data.Common;
using System.Diagnostics;

using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Pingvas.Bench;

/// <summary>
/// Client-side database time: every command EF Core runs, from just before it is sent until its
/// result has been read (readers: until disposed), plus every COMMIT/ROLLBACK round trip and the
/// time spent getting a pooled connection. Registered on the server's DbContext through the
/// configure callback; the server code is unchanged. The row-level-security <c>set_config</c>
/// command that <c>TenantSessionInterceptor</c> sends ahead of a command runs inside that
/// command's interception, so it is inside the measured span too.
/// </summary>
public sealed class DbTimer : DbCommandInterceptor, IDbTransactionInterceptor, IDbConnectionInterceptor
{
    private long commands;
    private long commandTicks;
    private long commits;
    private long commitTicks;
    private long opens;
    private long openTicks;

    public DbTimes Snapshot() => new(
        Interlocked.Read(ref commands),
        TimeSpan.FromTicks(Interlocked.Read(ref commandTicks)).TotalMilliseconds,
        Interlocked.Read(ref commits),
        TimeSpan.FromTicks(Interlocked.Read(ref commitTicks)).TotalMilliseconds,
        Interlocked.Read(ref opens),
        TimeSpan.FromTicks(Interlocked.Read(ref openTicks)).TotalMilliseconds);

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        Command(eventData.Duration);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        Command(eventData.Duration);
        return ValueTask.FromResult(result);
    }

    /// <summary>Reading a reader's rows: from its creation until it is disposed.</summary>
    public override InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        Interlocked.Add(ref commandTicks, eventData.Duration.Ticks);
        return result;
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Command(eventData.Duration);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Command(eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        Command(eventData.Duration);
        return result;
    }

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        Command(eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Command(eventData.Duration);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Command(eventData.Duration);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Commit(eventData.Duration);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Commit(eventData.Duration);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Commit(eventData.Duration);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Commit(eventData.Duration);
        return Task.CompletedTask;
    }

    public void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Open(eventData.Duration);

    public Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Open(eventData.Duration);
        return Task.CompletedTask;
    }

    private void Command(TimeSpan duration)
    {
        Interlocked.Increment(ref commands);
        Interlocked.Add(ref commandTicks, duration.Ticks);
    }

    private void Commit(TimeSpan duration)
    {
        Interlocked.Increment(ref commits);
        Interlocked.Add(ref commitTicks, duration.Ticks);
    }

    private void Open(TimeSpan duration)
    {
        Interlocked.Increment(ref opens);
        Interlocked.Add(ref openTicks, duration.Ticks);
    }
}

public sealed record DbTimes(long Commands, double CommandMs, long Commits, double CommitMs, long Opens, double OpenMs)
{
    public static DbTimes operator -(DbTimes a, DbTimes b) =>
        new(a.Commands - b.Commands, a.CommandMs - b.CommandMs, a.Commits - b.Commits, a.CommitMs - b.CommitMs, a.Opens - b.Opens, a.OpenMs - b.OpenMs);

    /// <summary>Statement and commit round trips: what the target "database time per job" counts.</summary>
    public double TotalMs => CommandMs + CommitMs;
}

/// <summary>A stopwatch-based clock shared by the load generators (monotonic, high resolution).</summary>
public static class Clock
{
    public static long Now => Stopwatch.GetTimestamp();

    public static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}
