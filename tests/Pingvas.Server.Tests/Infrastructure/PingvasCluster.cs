using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;

using Microsoft.EntityFrameworkCore;

using Npgsql;

using Pingvas.Server.Data;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>
/// The production topology on one machine: a fresh PostgreSQL database (on the test server at
/// <c>PINGVAS_TEST_POSTGRES</c>, whatever database the rest of the suite runs on), <c>pingvas migrate</c>,
/// then API and worker processes sharing it, one signing key and one data folder (the local
/// object store lives there). Every process is killed and the database dropped on dispose.
/// </summary>
public sealed class PingvasCluster : IAsyncDisposable
{
    private const string DefaultAdmin = "Host=127.0.0.1;Port=5432;Username=pingvas;Password=pingvas;Database=postgres";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly List<PingvasProcess> processes = [];
    private readonly string databaseName;

    private PingvasCluster(string databaseName, string connectionString, string dataPath, Dictionary<string, string> environment)
    {
        this.databaseName = databaseName;
        ConnectionString = connectionString;
        DataPath = dataPath;
        Environment = environment;
    }

    public string ConnectionString { get; }

    public string DataPath { get; }

    public string LogFolder => Path.Combine(DataPath, "logs");

    /// <summary>What every process gets, in environment form (<c>Section__Key</c>).</summary>
    public Dictionary<string, string> Environment { get; }

    public IReadOnlyList<PingvasProcess> Apis => [.. processes.Where(p => p.Role == "api")];

    public IReadOnlyList<PingvasProcess> Workers => [.. processes.Where(p => p.Role == "worker")];

    private static string Admin => System.Environment.GetEnvironmentVariable("PINGVAS_TEST_POSTGRES") ?? DefaultAdmin;

    /// <summary>Creates and migrates the database, then starts the processes (in parallel) and waits until all are ready.</summary>
    public static async Task<PingvasCluster> StartAsync(int apis, int workers, IDictionary<string, string>? settings = null)
    {
        var cluster = await CreateAsync(settings);
        try
        {
            var (exit, log) = await PingvasProcess.RunToExitAsync("migrate", cluster.Environment, cluster.DataPath, cluster.LogFolder);
            Assert.True(exit == 0, $"pingvas migrate exited with {exit}:\n{log}");
            await Task.WhenAll(Enumerable.Repeat("api", apis).Concat(Enumerable.Repeat("worker", workers)).Select(cluster.StartProcessAsync));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary><see cref="StartAsync(int, int, IDictionary{string, string}?)"/> with <paramref name="settings"/> on top of the cluster's environment.</summary>
    public static Task<PingvasCluster> StartAsync(int apis, int workers, TestSettings settings) => StartAsync(apis, workers, settings.ToEnvironment());

    /// <summary><see cref="CreateAsync(IDictionary{string, string}?)"/> with <paramref name="settings"/> on top of the cluster's environment.</summary>
    public static Task<PingvasCluster> CreateAsync(TestSettings settings) => CreateAsync(settings.ToEnvironment());

    /// <summary>A fresh, empty database and data folder with the cluster's environment, and no process yet.</summary>
    public static async Task<PingvasCluster> CreateAsync(IDictionary<string, string>? settings = null)
    {
        var name = $"pingvas_test_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(Admin))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var connection = new NpgsqlConnectionStringBuilder(Admin) { Database = name, MaxPoolSize = 10 }.ConnectionString;
        var environment = new Dictionary<string, string>
        {
            ["Database__Provider"] = "postgres",
            ["ConnectionStrings__Database"] = connection,
            ["Auth__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            ["Engines__Procedural__StepDelayMs"] = "100",
            ["RateLimits__AuthPerMinute"] = "10000",
            ["RateLimits__SubmitBurst"] = "10000",
            ["RateLimits__SubmitsPerSecond"] = "10000",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var data = Path.Combine(Path.GetTempPath(), "pingvas-cluster-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        return new PingvasCluster(name, connection, data, environment);
    }

    /// <summary>Starts one more process of <paramref name="role"/> and waits until it is ready and listening.</summary>
    public async Task<PingvasProcess> StartProcessAsync(string role) => await StartProcessAsync(role, (IDictionary<string, string>?)null);

    /// <summary>One more process of <paramref name="role"/> with <paramref name="extra"/> on top of the cluster's environment.</summary>
    public Task<PingvasProcess> StartProcessAsync(string role, TestSettings extra) => StartProcessAsync(role, extra.ToEnvironment());

    public async Task<PingvasProcess> StartProcessAsync(string role, IDictionary<string, string>? extra)
    {
        var environment = new Dictionary<string, string>(Environment);
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var process = await PingvasProcess.StartAsync(role, environment, DataPath, LogFolder);
        lock (processes)
        {
            processes.Add(process);
        }

        await process.WaitForReadinessAsync("Healthy", ReadyTimeout);
        return process;
    }

    public async Task<ClusterUser> RegisterAsync(PingvasProcess api)
    {
        using var anonymous = api.CreateClient();
        var email = $"user-{Guid.NewGuid():N}@example.com";
        var response = await anonymous.PostAsJsonAsync("/api/v1/auth/register", new { email, password = "correct horse battery", name = "Cluster User" });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Register failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var body = (await response.Content.ReadFromJsonAsync<AuthBody>(Json.Options))!;
        return new ClusterUser(body.User.Id, body.AccessToken);
    }

    public PingvasDb OpenDb() => TestDatabase.OpenSystem(ConnectionString);

    /// <summary>Every process's log, for failure messages.</summary>
    public string Describe() => string.Join("\n", processes.Select(p => p.Describe()));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in processes)
        {
            await process.DisposeAsync();
        }

        await TestDatabase.DropDatabaseAsync(Admin, databaseName);

        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A signed-in user of a cluster; every call names the API instance it goes to.</summary>
public sealed class ClusterUser(Guid id, string accessToken)
{
    public Guid Id { get; } = id;

    public string AccessToken { get; } = accessToken;

    public async Task<GenerationBody> SubmitAsync(PingvasProcess api, object request)
    {
        using var client = api.CreateClient(AccessToken);
        var response = await client.PostAsJsonAsync("/api/v1/generations", request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Submit failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<GenerationBody>(Json.Options))!;
    }

    public async Task<GenerationBody> GetAsync(PingvasProcess api, Guid id)
    {
        using var client = api.CreateClient(AccessToken);
        return (await client.GetFromJsonAsync<GenerationBody>($"/api/v1/generations/{id}", Json.Options))!;
    }

    public async Task<HttpResponseMessage> CancelAsync(PingvasProcess api, Guid id)
    {
        using var client = api.CreateClient(AccessToken);
        return await client.PostAsync($"/api/v1/generations/{id}/cancel", null);
    }

    /// <summary>Polls (bounded) until the generation matches.</summary>
    public async Task<GenerationBody> WaitForAsync(PingvasProcess api, Guid id, Func<GenerationBody, bool> match, TimeSpan timeout, Func<string>? describe = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var job = await GetAsync(api, id);
            if (match(job))
            {
                return job;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Generation {id} is {job.Status} at step {job.Progress.Step} after {timeout.TotalSeconds:0} s.\n{describe?.Invoke()}");
            }

            await Task.Delay(50);
        }
    }

    public Task<GenerationBody> WaitForTerminalAsync(PingvasProcess api, Guid id, TimeSpan timeout, Func<string>? describe = null) =>
        WaitForAsync(api, id, g => g.Status is "succeeded" or "failed" or "cancelled", timeout, describe);

    public async Task<MeBody> MeAsync(PingvasProcess api)
    {
        using var client = api.CreateClient(AccessToken);
        return (await client.GetFromJsonAsync<MeBody>("/api/v1/me", Json.Options))!;
    }

    public async Task<List<LedgerEntryBody>> LedgerAsync(PingvasProcess api)
    {
        using var client = api.CreateClient(AccessToken);
        return await ApiChecks.AllAsync<LedgerEntryBody>(client, "/api/v1/credits/ledger");
    }
}
