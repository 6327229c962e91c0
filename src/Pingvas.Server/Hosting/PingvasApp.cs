using Microsoft.AspNetCore.Diagnostics.HealthChecks;

using Pingvas.Server.Accounts;
using Pingvas.Server.Catalog;
using Pingvas.Server.Credits;
using Pingvas.Server.Data;
using Pingvas.Server.Gallery;
using Pingvas.Server.Generation;
using Pingvas.Server.Queue;
using Pingvas.Server.Realtime;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Hosting;

public enum PingvasRole
{
    /// <summary>API + in-process workers on one machine; the embedded default.</summary>
    Serve,

    /// <summary>Apply database migrations, then exit.</summary>
    Migrate,
}

/// <summary>The role this process was started in.</summary>
public sealed record HostRole(PingvasRole Role);

/// <summary>Builds and starts the one executable in the role named by its first argument.</summary>
public static class PingvasApp
{
    public static PingvasRole ParseRole(string[] args) =>
        args.FirstOrDefault() is { } first && !first.StartsWith('-')
            ? first.ToLowerInvariant() switch
            {
                "serve" => PingvasRole.Serve,
                "migrate" => PingvasRole.Migrate,
                _ => throw new ArgumentException($"Unknown command '{first}'. Use: serve (default) or migrate."),
            }
            : PingvasRole.Serve;

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var role = ParseRole(args);
        var options = args.SkipWhile(a => !a.StartsWith('-')).ToArray();
        // Settings files ship next to the binary; the working folder only decides where ./data goes.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = options, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddEnvironmentVariables("PINGVAS__");
        builder.Configuration.AddCommandLine(options, new Dictionary<string, string> { ["--data"] = "Data:Path" });
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.AddPingvas(role);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UsePingvasProblems();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();

        var api = app.MapGroup("/api/v1");
        api.MapAuth().MapMe().MapCatalog().MapCredits().MapGenerations().MapImages().MapFiles();
        app.MapHub<ProgressHub>(ProgressHub.Path);
        app.MapOpenApi("/openapi/v1.json");
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready");
        app.MapGet("/", () => Results.Redirect("/openapi/v1.json")).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// Prepares the database and state for the role: migrations, secrets, orphaned jobs.
    /// Returns an exit code when the process should stop here instead of serving.
    /// </summary>
    public static async Task<int?> PrepareAsync(WebApplication app, CancellationToken ct)
    {
        var role = app.Services.GetRequiredService<HostRole>().Role;
        await using var scope = app.Services.CreateAsyncScope();
        var runner = scope.ServiceProvider.GetRequiredService<MigrationRunner>();
        if (role == PingvasRole.Migrate || runner.Provider == "sqlite")
        {
            // The embedded default creates and upgrades its own database on first run.
            await runner.MigrateAsync(ct);
        }
        else if ((await runner.PendingAsync(ct)) is { Count: > 0 } pending)
        {
            app.Logger.LogCritical("The database is not migrated ({Pending} pending): run `pingvas migrate` first.", string.Join(", ", pending));
            return 2;
        }

        if (role == PingvasRole.Migrate)
        {
            return 0;
        }

        // Fail now, not on the first request, when the signing key is missing.
        app.Services.GetRequiredService<SigningKeys>();
        await QueueRecovery.RecoverAtStartupAsync(app.Services, ct);
        return null;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication app;
        try
        {
            app = Build(args);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // A configuration mistake: say what to fix, without a stack trace.
            Console.Error.WriteLine($"pingvas: {ex.Message}");
            return 1;
        }

        try
        {
            if (await PrepareAsync(app, CancellationToken.None) is { } exitCode)
            {
                return exitCode;
            }

            await app.RunAsync();
            return 0;
        }
        catch (InvalidOperationException ex)
        {
            app.Logger.LogCritical("{Message}", ex.Message);
            return 1;
        }
    }
}
