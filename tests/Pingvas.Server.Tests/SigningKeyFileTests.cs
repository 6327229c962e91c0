using System.Net;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

using Pingvas.Server.Hosting;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// The signing secret the embedded default generates in data/secrets: private from the moment it
/// exists, one key even when two processes start at once, and the same key after a restart.
/// Always on SQLite: elsewhere the key comes from configuration and no file is written.
/// </summary>
public sealed class SigningKeyFileTests : IAsyncLifetime
{
    private const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string dataPath = Path.Combine(Path.GetTempPath(), "pingvas-tests", Guid.NewGuid().ToString("N"));

    private string Secrets => Path.Combine(dataPath, "secrets");

    private string KeyFile => Path.Combine(Secrets, "signing-key");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        if (Directory.Exists(dataPath))
        {
            Directory.Delete(dataPath, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_first_start_creates_the_folder_0700_and_the_key_0600()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using var server = await StartEmbeddedAsync();

        Assert.Equal(PrivateFolder, File.GetUnixFileMode(Secrets));
        Assert.Equal(PrivateFile, File.GetUnixFileMode(KeyFile));
        Assert.Equal(64, Convert.FromBase64String(File.ReadAllText(KeyFile)).Length);
        Assert.Equal(["signing-key"], Directory.GetFileSystemEntries(Secrets).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_secrets_folder_and_key_readable_by_others_are_tightened_and_the_key_kept()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode Open = PrivateFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        Directory.CreateDirectory(Secrets, Open);
        File.SetUnixFileMode(Secrets, Open);
        Assert.Equal(Open, File.GetUnixFileMode(Secrets));
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64));
        File.WriteAllText(KeyFile, key);
        File.SetUnixFileMode(KeyFile, PrivateFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await using var server = await StartEmbeddedAsync();

        Assert.Equal(PrivateFolder, File.GetUnixFileMode(Secrets));
        Assert.Equal(PrivateFile, File.GetUnixFileMode(KeyFile));
        Assert.Equal(key, File.ReadAllText(KeyFile));
    }

    [Fact]
    public async Task The_key_is_the_same_after_a_restart_so_tokens_keep_working()
    {
        await using var server = await StartEmbeddedAsync();
        var user = await server.RegisterAsync();
        var key = File.ReadAllText(KeyFile);
        var tokenKey = server.ServerKey();

        await server.RestartAsync();

        Assert.Equal(key, File.ReadAllText(KeyFile));
        Assert.Equal(tokenKey, server.ServerKey());
        using var client = server.CreateClient(user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Starters_racing_on_an_empty_folder_all_end_up_with_one_key()
    {
        var configuration = new ConfigurationBuilder().Build();
        var paths = new DataPaths(dataPath);
        Directory.CreateDirectory(dataPath);

        var keys = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
            SigningKeys.Load(configuration, paths, embedded: true, NullLogger.Instance).TokenKey)));

        Assert.All(keys, k => Assert.Equal(keys[0], k));
        Assert.Equal(["signing-key"], Directory.GetFileSystemEntries(Secrets).Select(Path.GetFileName));
        Assert.Equal(keys[0], SigningKeys.Load(configuration, paths, embedded: true, NullLogger.Instance).TokenKey);
    }

    /// <summary>The embedded default (serve on SQLite, no configured key) on this test's data folder, whatever PINGVAS_TEST_DATABASE says.</summary>
    private Task<PingvasServer> StartEmbeddedAsync() =>
        PingvasServer.StartAsync(
            new Dictionary<string, string>
            {
                ["Database:Provider"] = "sqlite",
                ["ConnectionStrings:Database"] = $"Data Source={Path.Combine(dataPath, "pingvas.db")};Foreign Keys=True;Default Timeout=30",
            },
            dataPath: dataPath);
}
