using Microsoft.EntityFrameworkCore;

using Npgsql;

using Pingvas.Server.Data;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>
/// The database a test server runs on. SQLite (a file in the server's data folder) unless
/// <c>PINGVAS_TEST_DATABASE=postgres</c>: then each server gets a fresh database on the real
/// PostgreSQL server at <c>PINGVAS_TEST_POSTGRES</c> (an admin connection string), dropped afterwards.
/// </summary>
public sealed class TestDatabase
{
    private const string DefaultAdmin = "Host=127.0.0.1;Port=5432;Username=pingvas;Password=pingvas;Database=postgres";

    private TestDatabase(string provider, string? connectionString, string? name)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Name = name;
    }

    public static bool UsePostgres => string.Equals(Environment.GetEnvironmentVariable("PINGVAS_TEST_DATABASE"), "postgres", StringComparison.OrdinalIgnoreCase);

    public string Provider { get; }

    /// <summary>null on SQLite: the server uses its default file in the data folder.</summary>
    public string? ConnectionString { get; }

    private string? Name { get; }

    private static string Admin => Environment.GetEnvironmentVariable("PINGVAS_TEST_POSTGRES") ?? DefaultAdmin;

    public static async Task<TestDatabase> CreateAsync() =>
        UsePostgres ? await CreatePostgresAsync() : new TestDatabase("sqlite", null, null);

    /// <summary>A fresh PostgreSQL database whatever <c>PINGVAS_TEST_DATABASE</c> says (for PostgreSQL-only features).</summary>
    public static async Task<TestDatabase> CreatePostgresAsync()
    {
        var name = $"pingvas_test_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(Admin))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(Admin) { Database = name, MaxPoolSize = 20 };
        return new TestDatabase("postgres", builder.ConnectionString, name);
    }

    /// <summary>Server settings that point the app at this database.</summary>
    public IEnumerable<KeyValuePair<string, string>> Settings()
    {
        if (ConnectionString is null)
        {
            yield break;
        }

        yield return new("Database:Provider", "postgres");
        yield return new("ConnectionStrings:Database", ConnectionString);
    }

    /// <summary>A context on this database from outside the server (for arranging a crash's leftovers).</summary>
    public PingvasDb Open(string dataPath) => ConnectionString is null
        ? new PingvasDb(new DbContextOptionsBuilder<PingvasDb>()
            .UseSqlite($"Data Source={Path.Combine(dataPath, "pingvas.db")};Foreign Keys=True;Pooling=False").Options)
        : OpenSystem(ConnectionString);

    /// <summary>
    /// A context on a PostgreSQL database in system context: what tests arrange or inspect from
    /// outside the app spans users, and row-level security shows nothing to a context keyed to nobody.
    /// </summary>
    public static PingvasDb OpenSystem(string connectionString)
    {
        var system = new DatabaseTenant();
        system.EnterSystem();
        return new PingvasDb(new DbContextOptionsBuilder<PingvasDb>()
            .UseNpgsql(connectionString)
            .AddInterceptors(new TenantSessionInterceptor(system))
            .Options);
    }

    public async Task DropAsync()
    {
        if (Name is null)
        {
            return;
        }

        await DropDatabaseAsync(Admin, Name);
    }

    /// <summary>Drops a test database, ending its connections (pools of this process first).</summary>
    public static async Task DropDatabaseAsync(string adminConnectionString, string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(adminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 20)
            {
                // An autovacuum worker in the database: a non-superuser's FORCE may not end it
                // ("must be a member of the role whose process is being terminated"). It ends soon.
                await Task.Delay(250);
            }
        }
    }
}
