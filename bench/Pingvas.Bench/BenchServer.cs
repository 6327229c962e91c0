using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

using Npgsql;

using Pingvas.Core.Credits;
using Pingvas.Engines;
using Pingvas.Server.Credits;
using Pingvas.Server.Data;
using Pingvas.Server.Hosting;
using Pingvas.Server.Queue;
using Pingvas.Server.Workers;

namespace Pingvas.Bench;

/// <summary>A signed-in bench user: id and access token (15 minutes; every bench phase fits).</summary>
public sealed record BenchUser(Guid Id, string Token, string Plan);

/// <summary>
/// The real server, started in-process the way the integration tests start it
/// (tests/Pingvas.Server.Tests/Infrastructure/PingvasServer.cs): a fresh PostgreSQL database,
/// `pingvas migrate` first, then `serve` on a loopback port with settings passed as command-line
/// arguments. The in-process WorkerPool is taken out, so the API runs alone and each bench starts
/// its own workers when it wants them. Dropped (database and data folder) on dispose.
/// </summary>
public sealed class BenchServer : IAsyncDisposable
{
    private readonly string adminConnection;
    private readonly string databaseName;
    private readonly string dataPath;
    private WebApplication? app;

    private BenchServer(string adminConnection, string databaseName, string connectionString, string dataPath, DbTimer timer)
    {
        this.adminConnection = adminConnection;
        this.databaseName = databaseName;
        ConnectionString = connectionString;
        this.dataPath = dataPath;
        Timer = timer;
        Meter = new ResourceMeter(connectionString);
    }

    public string ConnectionString { get; }

    public DbTimer Timer { get; }

    public ResourceMeter Meter { get; }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The interceptors on the server's DbContext, by type name (the timer plus the server's own).</summary>
    public IReadOnlyList<string> Interceptors { get; private set; } = [];

    public IServiceProvider Services => app!.Services;

    /// <summary>The role that runs the API alone: <c>api</c> where the server has it, else <c>serve</c> (its WorkerPool is taken out either way).</summary>
    public static string ApiRole
    {
        get
        {
            try
            {
                return PingvasApp.ParseRole(["api"]).ToString().ToLowerInvariant();
            }
            catch (ArgumentException)
            {
                return "serve";
            }
        }
    }

    public string Role { get; private set; } = "serve";

    /// <summary>Leave the database in place on dispose (a bench that reuses a loaded database: search --keep/--database).</summary>
    public bool KeepDatabase { get; set; }

    public string DatabaseName => databaseName;

    /// <param name="existingDatabase">Reuse this database (migrated again, kept on dispose) instead of a fresh one.</param>
    public static async Task<BenchServer> StartAsync(string adminConnection, int poolSize, IDictionary<string, string> extraSettings, Action<IServiceCollection>? configure = null, string role = "serve", string? existingDatabase = null)
    {
        var name = existingDatabase ?? $"pingvas_bench_{Guid.NewGuid():N}";
        if (existingDatabase is null)
        {
            await using var admin = new NpgsqlConnection(adminConnection);
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var connection = new NpgsqlConnectionStringBuilder(adminConnection) { Database = name, MaxPoolSize = poolSize }.ConnectionString;
        var dataPath = Path.Combine(Path.GetTempPath(), "pingvas-bench", name);
        var server = new BenchServer(adminConnection, name, connection, dataPath, new DbTimer()) { KeepDatabase = existingDatabase is not null };
        try
        {
            server.Role = role;
            await server.StartAppAsync(extraSettings, configure);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    private async Task StartAppAsync(IDictionary<string, string> extraSettings, Action<IServiceCollection>? configure)
    {
        var settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = "postgres",
            ["ConnectionStrings:Database"] = ConnectionString,
            ["Auth:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            // The bench measures the system, not the per-user limiters: open them wide.
            ["RateLimits:AuthPerMinute"] = "1000000",
            ["RateLimits:SubmitBurst"] = "1000000",
            ["RateLimits:SubmitsPerSecond"] = "1000000",
            ["Queue:MaxQueuedPerUser"] = "1000000",
            // The bench's stand-in worker row (below) must not go stale during a run.
            ["Workers:StaleSeconds"] = "86400",
        };
        foreach (var (key, value) in extraSettings)
        {
            settings[key] = value;
        }

        var flags = settings.Select(s => $"--{s.Key}={s.Value}").ToList();

        // As an operator would: `pingvas migrate` first; serve refuses an unmigrated database.
        await using (var migrate = PingvasApp.Build(["migrate", "--data", dataPath, .. flags]))
        {
            if (await PingvasApp.PrepareAsync(migrate, CancellationToken.None) is not 0)
            {
                throw new InvalidOperationException("pingvas migrate failed.");
            }
        }

        app = PingvasApp.Build([Role, "--urls", "http://127.0.0.1:0", "--data", dataPath, .. flags], builder =>
        {
            var services = builder.Services;
            // The API alone: no in-process workers (the benches start their own WorkerPool).
            foreach (var pool in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(WorkerPool)).ToList())
            {
                services.Remove(pool);
            }

            services.ConfigureDbContext<PingvasDb>((_, options) => options.AddInterceptors(Timer));
            configure?.Invoke(services);
        });
        if (app.Services.GetServices<IHostedService>().OfType<WorkerPool>().Any())
        {
            throw new InvalidOperationException("The server still registers its WorkerPool; the bench could not take it out.");
        }

        // The server's own interceptors (row-level security) must still be there, next to the timer.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var options = scope.ServiceProvider.GetRequiredService<PingvasDb>().GetService<IDbContextOptions>();
            Interceptors = options.FindExtension<CoreOptionsExtension>()?.Interceptors?.Select(i => i.GetType().Name).ToList() ?? [];
            if (!Interceptors.Contains(nameof(DbTimer)))
            {
                throw new InvalidOperationException("The database timer is not registered on the server's DbContext.");
            }
        }

        if (await PingvasApp.PrepareAsync(app, CancellationToken.None) is { } exit)
        {
            throw new InvalidOperationException($"The server would exit with {exit}.");
        }

        await app.StartAsync();
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        await AdvertiseWorkerAsync();
    }

    /// <summary>
    /// The API accepts a model only when the worker registry lists a live worker for it, and the
    /// benches fill the queue before they start their own pools: one row stands for those workers.
    /// </summary>
    private Task AdvertiseWorkerAsync()
    {
        var engines = app!.Services.GetServices<IImageEngine>();
        return app.Services.GetRequiredService<WorkerRegistry>().SaveAsync([new WorkerRow
        {
            Id = "bench:0:00000000:0",
            Process = "bench:0:00000000",
            Role = "worker",
            Engine = "bench",
            Instance = "bench",
            GpuClass = "cpu",
            Models = WorkerModels.Join(engines.SelectMany(e => e.Models).Distinct()),
            State = WorkerStates.Idle,
            StartedAt = DateTime.UtcNow,
        }], CancellationToken.None);
    }

    /// <summary>A client for the load: keep-alive connections to the server, as many as requests in flight.</summary>
    public HttpClient CreateClient(int connections) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>
    /// Registers users through the API (PBKDF2: a few at a time), then moves each to its plan and
    /// grants plenty of credits through the server's own Ledger, so no submit is refused for credits.
    /// </summary>
    public async Task<IReadOnlyList<BenchUser>> CreateUsersAsync(int count, Func<int, string> planOf)
    {
        using var client = CreateClient(4);
        var users = new BenchUser[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            var response = await client.PostAsJsonAsync("/api/v1/auth/register",
                new { email = $"bench-{i}-{Guid.NewGuid():N}@example.com", password = "correct horse battery staple", name = $"Bench {i}" }, ct);
            response.EnsureSuccessStatusCode();
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            users[i] = new BenchUser(body.RootElement.GetProperty("user").GetProperty("id").GetGuid(), body.RootElement.GetProperty("accessToken").GetString()!, planOf(i));
        });

        // Granting credits to every bench user spans users: system context (row-level security).
        await using var scope = Services.CreateSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
        var ledger = scope.ServiceProvider.GetRequiredService<Ledger>();
        foreach (var user in users)
        {
            await using var tx = await db.BeginWriteAsync(CancellationToken.None);
            await db.LockUserAsync(user.Id, CancellationToken.None);
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.PlanId, user.Plan));
            await ledger.GrantAsync(user.Id, LotSource.Admin, 1_000_000, null, "Benchmark credits", $"bench:{user.Id}", CancellationToken.None);
            await tx.CommitAsync();
        }

        return users;
    }

    /// <summary>Runs SQL on the bench database outside the server (system context: no tenant set).</summary>
    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenSystemConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (n, v) in parameters)
        {
            command.Parameters.AddWithValue(n, v);
        }

        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default! : (T)Convert.ChangeType(result, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public Task<long> ExecuteAsync(string sql, params (string Name, object Value)[] parameters) =>
        ScalarAsync<long>($"WITH done AS ({sql} RETURNING 1) SELECT count(*) FROM done", parameters);

    /// <summary>Enqueue → start latencies (ms) of the jobs created at or after <paramref name="since"/>.</summary>
    /// <summary>A connection for the bench's own reads, which span users: system context, or row-level security shows no rows.</summary>
    private async Task<NpgsqlConnection> OpenSystemConnectionAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var system = new NpgsqlCommand($"SELECT set_config('pingvas.user_id', '{TenantSessionInterceptor.SystemValue}', false)", connection);
        await system.ExecuteNonQueryAsync();
        return connection;
    }

    public async Task<List<double>> StartLatenciesAsync(DateTime since)
    {
        var result = new List<double>();
        await using var connection = await OpenSystemConnectionAsync();
        await using var command = new NpgsqlCommand(
            "SELECT EXTRACT(EPOCH FROM (started_at - created_at)) * 1000 FROM jobs WHERE created_at >= @since AND started_at IS NOT NULL", connection);
        command.Parameters.AddWithValue("since", since);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            result.Add((double)reader.GetDecimal(0));
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
            app = null;
        }

        NpgsqlConnection.ClearAllPools();
        if (!KeepDatabase)
        {
            await DropAsync();
        }

        try
        {
            Directory.Delete(dataPath, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private async Task DropAsync()
    {
        await using (var admin = new NpgsqlConnection(adminConnection))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {databaseName} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
