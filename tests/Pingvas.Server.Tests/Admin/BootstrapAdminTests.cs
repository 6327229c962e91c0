using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using Pingvas.Server.Accounts;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Admin;

/// <summary>
/// Bootstrap:AdminEmail and Bootstrap:AdminPassword create the first admin at start, only when no
/// account has that email; the password never reaches the logs.
/// </summary>
public sealed class BootstrapAdminTests
{
    [Fact]
    public async Task The_first_admin_is_created_once_and_the_settings_are_ignored_afterwards()
    {
        const string password = "bootstrap-secret-4711";
        var logs = new CapturingLoggerProvider();
        var email = $"root-{Guid.NewGuid():N}@example.com";
        await using var server = await PingvasServer.StartAsync(
            new TestSettings().With("Bootstrap:AdminEmail", email.ToUpperInvariant()).With("Bootstrap:AdminPassword", password),
            configureServices: s => s.AddSingleton<ILoggerProvider>(logs));

        var users = await server.QueryAsync(db => Task.FromResult(db.Users.Where(u => u.Email == email).ToList()));
        var row = Assert.Single(users);
        Assert.Equal((Roles.Admin, "free"), (row.Role, row.PlanId));

        // It signs in with the password and must enrol TOTP before the admin routes answer.
        using var anonymous = server.CreateClient();
        var signedIn = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email, password });
        var tokens = (await signedIn.Content.ReadFromJsonAsync<AuthBody>(Json.Options))!;
        using var client = server.CreateClient(tokens.AccessToken);
        await ProblemAssert.ReadAsync(await client.GetAsync("/api/v1/admin/users"), HttpStatusCode.Forbidden, "totp_required");
        Assert.Equal(100, tokens.User.Credits.Balance);

        // Restarted with another password: the account exists, nothing changes.
        await server.StopAsync();
        await using var again = await PingvasServer.StartAsync(
            new TestSettings().With("Bootstrap:AdminEmail", email).With("Bootstrap:AdminPassword", "another-password-0815"),
            dataPath: server.DataPath, database: server.Database, configureServices: s => s.AddSingleton<ILoggerProvider>(logs));
        using var second = again.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await second.PostAsJsonAsync("/api/v1/auth/login", new { email, password })).StatusCode);
        Assert.Single(await again.QueryAsync(db => Task.FromResult(db.Users.Where(u => u.Email == email).ToList())));

        Assert.Contains(logs.Messages, m => m.Contains(email, StringComparison.Ordinal) && m.Contains("Created", StringComparison.Ordinal));
        Assert.Contains(logs.Messages, m => m.Contains("already exists", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => m.Contains(password, StringComparison.Ordinal) || m.Contains("another-password-0815", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bootstrap_password_that_breaks_the_rules_stops_the_start_without_showing_it()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PingvasServer.StartAsync(
            new TestSettings().With("Bootstrap:AdminEmail", "root@example.com").With("Bootstrap:AdminPassword", "short")));
        Assert.Contains("Bootstrap__AdminPassword", error.Message);
        Assert.DoesNotContain("short\"", error.Message);
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(Messages);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception) + exception);
        }
    }
}
