using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

using Npgsql;

namespace Pingvas.Server.Accounts;

/// <summary>
/// Tells a registration that lost a race for its email (a unique violation on users.email) from
/// any other failed insert: a database outage must reach the global handler and answer 503.
/// </summary>
public static class EmailTaken
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintUnique = 2067;

    public static bool Is(DbUpdateException exception) => exception.InnerException switch
    {
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, TableName: "users", ConstraintName: "users_email_key" } => true,
        SqliteException { SqliteErrorCode: SqliteConstraint, SqliteExtendedErrorCode: SqliteConstraintUnique } sqlite =>
            sqlite.Message.Contains("users.email", StringComparison.Ordinal),
        _ => false,
    };
}
