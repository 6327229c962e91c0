using Microsoft.AspNetCore.Diagnostics.HealthChecks;

using Pingvas.Server.Accounts;
using Pingvas.Server.Accounts.External;
using Pingvas.Server.Admin;
using Pingvas.Server.Billing;
using Pingvas.Server.Catalog;
using Pingvas.Server.Credits;
using Pingvas.Server.Data;
using Pingvas.Server.Developer;
using Pingvas.Server.Gallery;
using Pingvas.Server.Generation;
using Pingvas.Server.Hosting.OpenApi;
using Pingvas.Server.Loras;
using Pingvas.Server.Notices;
using Pingvas.Server.Presets;
using Pingvas.Server.Queue;
using Pingvas.Server.Realtime;
using Pingvas.Server.Sharing;
using Pingvas.Server.Storage;
using Pingvas.Server.Telemetry;
using Pingvas.Server.Uploads;
using Pingvas.Server.Web;
using Pingvas.Server.Webhooks;
using Pingvas.Server.Workers;
using Pingvas.Server.Workflows;
using Pingvas.Server.YourData;

namespace Pingvas.Server.Hosting;

public enum PingvasRole
{
    /// <summary>API + in-process workers in one process; the embedded default (on PostgreSQL it can run beside api and worker processes).</summary>
    Serve,

    /// <summary>Apply database migrations, then exit.</summary>
    Migrate,

    /// <summary>HTTP API and SignalR hub, no workers (PostgreSQL only; run any number).</summary>
    Api,

    /// <summary>Workers and lease recovery; over HTTP only its health endpoints (PostgreSQL only; run any number).</summary>
    Worker,
}

/// <summary>The role this process was started in.</summary>
public sealed record HostRole(PingvasRole Role);

/// <summary>Builds and starts the one executable in the role named by its first argument.</summary>
public static class PingvasApp
{
    /// <summary>Where serve and api listen unless --urls (or Urls in any configuration source) says otherwise.</summary>
    public const string DefaultApiUrls = "http://127.0.0.1:5080";

    /// <summary>Where a worker serves its health endpoints by default: a different port, so it can run next to serve or api.</summary>
    public const string DefaultWorkerUrls = "http://127.0.0.1:5081";

    public const string Usage = $"""
        Usage: pingvas [serve|api|worker|migrate] [--urls <url>] [--data <folder>] [--Section:Key=value ...]

          serve    API and workers in one process (default). On SQLite this is the embedded default;
                   on PostgreSQL it can run beside api and worker processes.
          api      HTTP API and SignalR hub, no workers. PostgreSQL only; run any number.
          worker   claims and runs generations, re-queues jobs whose lease expired. Over HTTP only
                   /health/live, /health/ready and /metrics (default --urls {DefaultWorkerUrls}). PostgreSQL only; run any number.
          migrate  apply database migrations and exit.
          storage-reconcile  compare storage with the database after a restore (`pingvas storage-reconcile --help`).

        api, worker and serve on PostgreSQL need Database__Provider=postgres, ConnectionStrings__Database
        and Auth__SigningKey, and refuse to start on a database that `pingvas migrate` has not brought up to date.
        Settings: README.md "Configuration".
        """;

    public static PingvasRole ParseRole(string[] args) =>
        args.FirstOrDefault() is { } first && !first.StartsWith('-')
            ? first.ToLowerInvariant() switch
            {
                "serve" => PingvasRole.Serve,
                "migrate" => PingvasRole.Migrate,
                "api" => PingvasRole.Api,
                "worker" => PingvasRole.Worker,
                _ => throw new ArgumentException($"Unknown command '{first}'. Use: serve (default), api, worker or migrate (`pingvas help` explains them)."),
            }
            : PingvasRole.Serve;

    public static bool IsHelp(string[] args) => args.FirstOrDefault() is "help" or "-h" or "--help" or "-?";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var role = ParseRole(args);
        var options = args.SkipWhile(a => !a.StartsWith('-')).ToArray();
        // Settings files ship next to the binary; the working folder only decides where ./data goes.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = options, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddEnvironmentVariables("PINGVAS__");
        builder.Configuration.AddCommandLine(options, new Dictionary<string, string> { ["--data"] = "Data:Path" });
        builder.Logging.AddPingvasConsole(builder.Configuration, role);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
        {
            builder.WebHost.UseUrls(role == PingvasRole.Worker ? DefaultWorkerUrls : DefaultApiUrls);
        }

        builder.AddPingvas(role);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseRequestSpanNames();
        app.UseShareHeaders();
        app.UsePingvasProblems();
        app.UsePingvasForwardedClients();

        // Authenticate before limiting: the submit bucket is per user, not per address.
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseDatabaseTenant();
        app.UseApiKeyGate();
        app.UseAuthorization();

        // Liveness: the process answers. Readiness: the database answers (Unhealthy, 503 otherwise);
        // on PostgreSQL also the event listener (Degraded, still 200, while it reconnects).
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready");
        app.MapPingvasMetrics();
        if (role == PingvasRole.Worker)
        {
            // A worker serves no API: its port is for the orchestrator's probes and the metrics scrape only.
            return app;
        }

        // Every JSON body of the API has its text checked once here, not per endpoint.
        var api = app.MapGroup("/api/v1").WithTextFieldChecks();
        api.MapAuth().MapMe().MapCatalog().MapCredits().MapGenerations().MapImages().MapUploads().MapLoras().MapFiles();
        api.MapGenerationEstimate();
        api.MapStorage().MapRetention();
        api.MapWorkflows();
        api.MapFolders().MapTags();
        api.MapYourData();
        api.MapApiKeys();
        api.MapPresets();
        api.MapGenerationStreams().MapNotificationSettings();
        api.MapWebhooks();
        api.MapGenerationWebhooks();
        api.MapShares().MapPublicShares();
        api.MapBilling().MapBillingCheckout().MapBillingWebhooks();
        api.MapExternalSignIn().MapEmailVerification().MapPasswordReset().MapNotices();
        // Operator endpoints: the policy on the group admits admins signed in with TOTP only (401
        // anonymous, 403 forbidden for others, 403 totp_required for an admin without it).
        api.MapGroup("/admin").RequireAuthorization(AdminRole.Policy).InSystemContext()
            .ProblemCodes(404, "workflow_not_found", "preset_not_found").ProblemCodes(409, "adjustment_exceeds_balance", "idempotency_key_reused")
            .MapAdminWorkers().MapAdmin().MapAdminWorkflows().MapAdminPresets();
        // A hub connection lives for hours: it must not outlive the access token it was opened with.
        app.MapHub<ProgressHub>(ProgressHub.Path, o => o.CloseOnAuthenticationExpiration = true);
        app.MapPingvasApiDocs();
        app.MapWebApp();
        return app;
    }

    /// <summary>
    /// Prepares the database and state for the role: migrations, secrets, orphaned jobs.
    /// Returns an exit code when the process should stop here instead of serving.
    /// </summary>
    public static async Task<int?> PrepareAsync(WebApplication app, CancellationToken ct)
    {
        var role = app.Services.GetRequiredService<HostRole>().Role;
        // Migrations may move rows of every user: system context (row-level security fails closed).
        await using var scope = app.Services.CreateSystemScope();
        var runner = scope.ServiceProvider.GetRequiredService<MigrationRunner>();
        if (role == PingvasRole.Migrate || runner.Provider == "sqlite")
        {
            // The embedded default creates and upgrades its own database on first run.
            await runner.MigrateAsync(ct);
            // After a signing-key rotation stored secrets move to the current key (docs/operations.md "Rotate the signing key").
            await WebhookSecretRekey.AfterMigrationAsync(scope.ServiceProvider, app.Configuration, ct);
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
        if (role is PingvasRole.Serve or PingvasRole.Api)
        {
            await BootstrapAdmin.RunAsync(app.Services, app.Logger, ct);
        }

        if (role is PingvasRole.Serve or PingvasRole.Worker)
        {
            // Jobs the previous process of this machine left running come back at once; on SQLite
            // that is every running job, on PostgreSQL other processes' jobs wait for their leases.
            await QueueRecovery.RecoverAtStartupAsync(app.Services, ct);
        }

        return null;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        if (IsHelp(args))
        {
            Console.WriteLine(Usage);
            return 0;
        }

        if (ReconcileCommand.Matches(args))
        {
            return await ReconcileCommand.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
        }

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
