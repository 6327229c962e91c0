using System.Net;
using System.Net.Http.Json;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using Pingvas.Server.Hosting;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>
/// The real server on a loopback port with its own data folder: the same host, pipeline, SQLite
/// file and object store a user gets from the README's run command. Settings go in as command-line
/// arguments, exactly as an operator would pass them.
/// </summary>
public sealed class PingvasServer : IAsyncDisposable
{
    private WebApplication? app;

    private readonly Action<IServiceCollection>? configureServices;

    private PingvasServer(string dataPath, IReadOnlyDictionary<string, string> settings, TestDatabase database, Action<IServiceCollection>? configureServices)
    {
        DataPath = dataPath;
        Settings = settings;
        Database = database;
        this.configureServices = configureServices;
    }

    public TestDatabase Database { get; }

    public string DataPath { get; }

    public IReadOnlyDictionary<string, string> Settings { get; private set; }

    public ShiftableTimeProvider Time { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => app!.Services;

    /// <summary>Defaults for fast tests (<see cref="TestSettings.Fast"/>): no step pause, generous rate limits.</summary>
    public static Dictionary<string, string> DefaultSettings() => TestSettings.Fast.ToDictionary();

    /// <summary>A server with <paramref name="overrides"/> (configuration keys) on top of <see cref="DefaultSettings"/>; prefer <see cref="TestSettings"/>.</summary>
    public static Task<PingvasServer> StartAsync(
        IDictionary<string, string>? overrides = null, string? dataPath = null, Action<IServiceCollection>? configureServices = null, TestDatabase? database = null) =>
        StartAsync(new TestSettings().With(overrides ?? new Dictionary<string, string>()), dataPath, configureServices, database);

    /// <param name="overrides">What differs from <see cref="TestSettings.Fast"/>.</param>
    /// <param name="configureServices">Replaces services after the app's own registrations, e.g. an engine that fails on purpose.</param>
    /// <param name="database">The database to run on (dropped with the server); by default <see cref="TestDatabase.CreateAsync"/>.</param>
    public static async Task<PingvasServer> StartAsync(
        TestSettings overrides, string? dataPath = null, Action<IServiceCollection>? configureServices = null, TestDatabase? database = null)
    {
        var settings = TestSettings.Fast.ToDictionary(overrides);
        database ??= await TestDatabase.CreateAsync();
        foreach (var (key, value) in database.Settings())
        {
            settings.TryAdd(key, value);
        }

        if (settings.GetValueOrDefault("Database:Provider") == "postgres")
        {
            // Outside the embedded default the server requires a configured signing key.
            settings.TryAdd("Auth:SigningKey", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)));
        }
        dataPath ??= Path.Combine(Path.GetTempPath(), "pingvas-tests", Guid.NewGuid().ToString("N"));
        var server = new PingvasServer(dataPath, settings, database, configureServices);
        try
        {
            await server.StartAppAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Stops the process-equivalent and starts a new one on the same data folder.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAppAsync();
    }

    /// <summary>Restarts on the same data folder and database with some settings changed (null removes one), as a redeploy with a new configuration would.</summary>
    public async Task RestartAsync(IReadOnlyDictionary<string, string?> changes)
    {
        var settings = Settings.ToDictionary();
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                settings.Remove(key);
            }
            else
            {
                settings[key] = value;
            }
        }

        Settings = settings;
        await RestartAsync();
    }

    public async Task StopAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
            app = null;
        }
    }

    /// <summary>
    /// Wraps the handler of every client <see cref="CreateClient"/> makes. The server tests set it to
    /// check each response against the OpenAPI document (OpenApi/OpenApiChecking.cs); a static hook
    /// because this file is also compiled into the browser tests, which do not check.
    /// </summary>
    public static Func<PingvasServer, HttpMessageHandler, HttpMessageHandler>? WrapClientHandler { get; set; }

    public HttpClient CreateClient(string? accessToken = null)
    {
        HttpMessageHandler handler = new SocketsHttpHandler();
        handler = WrapClientHandler?.Invoke(this, handler) ?? handler;
        var client = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (accessToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", accessToken);
        }

        return client;
    }

    public async Task<TestUser> RegisterAsync(string? email = null, string password = "correct horse battery")
    {
        email ??= $"user-{Guid.NewGuid():N}@example.com";
        using var anonymous = CreateClient();
        var response = await anonymous.PostAsJsonAsync("/api/v1/auth/register", new { email, password, name = "Test User" });
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Register failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var body = await response.Content.ReadFromJsonAsync<AuthBody>(Json.Options);
        return new TestUser(this, body!.User.Id, email, password, body.AccessToken, body.RefreshToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Database.DropAsync();
        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The server's recent warnings and errors (kept across restarts).</summary>
    public RecentProblems Problems { get; } = new();

    private async Task StartAppAsync()
    {
        var settings = Settings.Select(s => $"--{s.Key}={s.Value}").ToList();
        if (Settings.GetValueOrDefault("Database:Provider") == "postgres")
        {
            // As an operator would: `pingvas migrate` first; serve refuses an unmigrated database.
            await using var migrate = PingvasApp.Build(["migrate", "--data", DataPath, .. settings]);
            await PingvasApp.PrepareAsync(migrate, CancellationToken.None);
        }

        var args = new List<string> { "serve", "--urls", "http://127.0.0.1:0", "--data", DataPath };
        args.AddRange(settings);
        app = PingvasApp.Build([.. args], builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(Time);
            builder.Logging.AddProvider(Problems);
            configureServices?.Invoke(builder.Services);
        });
        if (await PingvasApp.PrepareAsync(app, CancellationToken.None) is { } exit)
        {
            throw new InvalidOperationException($"The server would exit with {exit}.");
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
    }
}
