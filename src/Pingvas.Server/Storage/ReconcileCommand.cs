using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Storage;

/// <summary>
/// <c>pingvas storage-reconcile</c>: a one-off role like <c>migrate</c>. It builds the host as migrate does
/// (same settings, no hosted services started), refuses an unmigrated database, and runs
/// <see cref="ReconcileRun"/> in system context with progress and results on stdout.
/// </summary>
public static class ReconcileCommand
{
    public const string Name = "storage-reconcile";

    public static bool Matches(string[] args) => string.Equals(args.FirstOrDefault(), Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>Exit codes: 0 done, 1 configuration or storage error, 2 database not migrated, 64 bad arguments.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (args.Skip(1).Any(a => a is "--help" or "-h"))
        {
            await output.WriteLineAsync(ReconcileArguments.Usage);
            return 0;
        }

        ReconcileArguments parsed;
        try
        {
            parsed = ReconcileArguments.Parse(args[1..]);
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync($"pingvas {Name}: {ex.Message}\n{ReconcileArguments.Usage}");
            return 64;
        }

        WebApplication app;
        try
        {
            app = PingvasApp.Build(["migrate", .. parsed.HostArgs]);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            await error.WriteLineAsync($"pingvas: {ex.Message}");
            return 1;
        }

        await using (app)
        {
            // Every user's rows: system context (row-level security shows other contexts nothing, and
            // then every object would look orphaned).
            await using var scope = app.Services.CreateSystemScope();
            var services = scope.ServiceProvider;
            if ((await services.GetRequiredService<MigrationRunner>().PendingAsync(ct)) is { Count: > 0 } pending)
            {
                await error.WriteLineAsync($"pingvas {Name}: the database is not migrated ({string.Join(", ", pending)} pending): run `pingvas migrate` first.");
                return 2;
            }

            var run = new ReconcileRun(
                services.GetRequiredService<PingvasDb>(), services.GetRequiredService<IObjectStore>(), services.GetRequiredService<TimeProvider>(),
                parsed, new ReconcileReport(output, parsed.Sample));
            try
            {
                await (parsed.PurgeQuarantine ? run.PurgeQuarantineAsync(ct) : run.ReconcileAsync(ct));
                return 0;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A storage or database failure: what happened so far was printed; running again is safe.
                await error.WriteLineAsync($"pingvas {Name}: failed: {ex.GetType().Name}: {ex.Message}");
                return 1;
            }
        }
    }
}
