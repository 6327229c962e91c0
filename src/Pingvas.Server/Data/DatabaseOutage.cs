using System.Net.Sockets;

using Microsoft.Data.Sqlite;

using Npgsql;

namespace Pingvas.Server.Data;

/// <summary>
/// Tells a database that is down or restarting (answer 503, retry later, keep the job) from a
/// bug (answer 500, fail the job).
/// </summary>
public static class DatabaseOutage
{
    public static bool Is(Exception? exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case NpgsqlException { IsTransient: true }:
                case PostgresException { SqlState: ['0', '8', ..] or ['5', '7', 'P', ..] }:
                case SocketException:
                case SqliteException { SqliteErrorCode: 5 or 6 }:
                    return true;
            }
        }

        return false;
    }
}
