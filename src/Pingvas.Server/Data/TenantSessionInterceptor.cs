using System.Data.Common;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

using Npgsql;

namespace Pingvas.Server.Data;

/// <summary>
/// Keys every command of a DbContext on PostgreSQL to its scope's <see cref="DatabaseTenant"/>:
/// before a command runs, <c>pingvas.user_id</c> is set on its connection (and in its transaction)
/// whenever it is not already the tenant: a user id, <see cref="SystemValue"/>, or empty. The
/// row-level security policies (0004, fail-closed since 0008) let a row through when its
/// <c>user_id</c> is that user, or in system context; empty or unset lets nothing through.
/// One instance per DbContext, so the state below tracks that context's one connection.
///
/// The setting is a session setting, written with the command's transaction. It cannot outlive
/// the connection's use: Npgsql resets a pooled connection (DISCARD ALL, or RESET ALL when it keeps
/// prepared statements) before handing it out again, so a freshly opened connection sees no
/// tenant rows; <see cref="EnsurePoolResets"/> refuses settings that would turn that reset off. Since
/// PostgreSQL undoes a SET with the transaction or savepoint it ran in, a value set inside a
/// transaction is re-asserted once that transaction is over, and after a rollback to a savepoint.
///
/// Only commands EF Core runs are intercepted: raw ADO.NET commands on <c>GetDbConnection()</c>
/// are not, so request code must not use them.
/// </summary>
public sealed class TenantSessionInterceptor(DatabaseTenant tenant) : DbCommandInterceptor, IDbConnectionInterceptor, IDbTransactionInterceptor
{
    /// <summary>The setting's value in system context (every row); a user id keys to that user; empty sees nothing.</summary>
    public const string SystemValue = "system";

    /// <summary>The startup option of the system pool's connections (<see cref="DataSetup.InSystemContext"/>).</summary>
    public const string SystemOption = "-c pingvas.user_id=" + SystemValue;

    private const string SetSql = "SELECT set_config('pingvas.user_id', @user_id, false)";

    /// <summary>Whether <see cref="applied"/> is what the session holds.</summary>
    private bool known;

    /// <summary>The session's <c>pingvas.user_id</c>: a user id, <see cref="SystemValue"/>, or empty (no tenant rows).</summary>
    private string applied = "";

    /// <summary>Counts the transactions begun on this context (Npgsql reuses transaction objects, so identity will not do).</summary>
    private long transactions;

    /// <summary>The transaction the last value was set in, by its count; null: outside one, committed at once.</summary>
    private long? setIn;

    /// <summary>
    /// Row-level security keys on a session setting, so each command must have its connection to
    /// itself and a returned connection must be reset: no multiplexing, no "No Reset On Close".
    /// </summary>
    public static void EnsurePoolResets(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.NoResetOnClose || builder.Multiplexing)
        {
            throw new InvalidOperationException(
                "ConnectionStrings__Database: row-level security needs pooled connections reset on return and not shared: remove No Reset On Close and Multiplexing.");
        }
    }

    /// <summary>
    /// Opens the context's connection for the rest of its scope, reads the account's state and
    /// keys the session to <paramref name="userId"/> when the account may act (not suspended, the
    /// token's version current), in one round trip. Null when the account does not exist. When it
    /// may not act, the session sees no tenant rows and the caller must reject the request. Later
    /// commands of the scope run on this connection and need no further setting.
    /// </summary>
    public async Task<(bool Suspended, int TokenVersion)?> KeyToAccountAsync(PingvasDb db, Guid userId, int tokenVersion, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "SELECT suspended, token_version, set_config('pingvas.user_id', CASE WHEN suspended OR token_version <> @version THEN '' ELSE @user_id END, false) FROM users WHERE id = @id";
        command.Parameters.Add(new NpgsqlParameter("user_id", userId.ToString()));
        command.Parameters.Add(new NpgsqlParameter("version", tokenVersion));
        command.Parameters.Add(new NpgsqlParameter("id", userId));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        var state = (Suspended: reader.GetBoolean(0), TokenVersion: reader.GetInt32(1));
        known = true;
        setIn = null;
        if (state.Suspended || state.TokenVersion != tokenVersion)
        {
            applied = "";
            return state;
        }

        tenant.Set(userId);
        applied = userId.ToString();
        return state;
    }

    public void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Opened(connection);

    public Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Opened(connection);
        return Task.CompletedTask;
    }

    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        transactions++;
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(
        DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        transactions++;
        return ValueTask.FromResult(result);
    }

    public DbTransaction TransactionUsed(DbConnection connection, TransactionEventData eventData, DbTransaction result)
    {
        transactions++;
        return result;
    }

    public ValueTask<DbTransaction> TransactionUsedAsync(
        DbConnection connection, TransactionEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        transactions++;
        return ValueTask.FromResult(result);
    }

    public void RolledBackToSavepoint(DbTransaction transaction, TransactionEventData eventData) => known = false;

    public Task RolledBackToSavepointAsync(DbTransaction transaction, TransactionEventData eventData, CancellationToken cancellationToken = default)
    {
        known = false;
        return Task.CompletedTask;
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Apply(command);
        return result;
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await ApplyAsync(command, cancellationToken);
        return result;
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Apply(command);
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await ApplyAsync(command, cancellationToken);
        return result;
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Apply(command);
        return result;
    }

    public override async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        await ApplyAsync(command, cancellationToken);
        return result;
    }

    /// <summary>
    /// A connection from the pool has been reset to its session default: system context on the
    /// system pool's connections, otherwise no user set, so no tenant rows.
    /// </summary>
    private void Opened(DbConnection connection)
    {
        known = true;
        applied = connection.ConnectionString.Contains(SystemOption, StringComparison.Ordinal) ? SystemValue : "";
        setIn = null;
    }

    private void Apply(DbCommand command)
    {
        if (Prepare(command) is { } set)
        {
            using (set)
            {
                set.ExecuteNonQuery();
            }

            Applied(command);
        }
    }

    private async Task ApplyAsync(DbCommand command, CancellationToken ct)
    {
        if (Prepare(command) is { } set)
        {
            await using (set)
            {
                await set.ExecuteNonQueryAsync(ct);
            }

            Applied(command);
        }
    }

    /// <summary>The command that keys the session to the tenant, or null when it already is.</summary>
    private DbCommand? Prepare(DbCommand command)
    {
        if (setIn is { } setInTransaction && (command.Transaction is null || setInTransaction != transactions))
        {
            // The transaction that set the value has ended (committed, rolled back or disposed).
            known = false;
        }

        var wanted = Wanted;
        if (known && applied == wanted)
        {
            return null;
        }

        // Unknown until the set succeeds: a failed set leaves the next command to try again.
        known = false;
        var set = command.Connection!.CreateCommand();
        set.CommandText = SetSql;
        set.Transaction = command.Transaction;
        var parameter = set.CreateParameter();
        parameter.ParameterName = "user_id";
        parameter.Value = wanted;
        set.Parameters.Add(parameter);
        return set;
    }

    private string Wanted => tenant.IsSystem ? SystemValue : tenant.UserId?.ToString() ?? "";

    private void Applied(DbCommand command)
    {
        known = true;
        applied = Wanted;
        setIn = command.Transaction is null ? null : transactions;
    }
}
