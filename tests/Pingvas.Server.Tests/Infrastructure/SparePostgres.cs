using System.Diagnostics;

using Npgsql;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>
/// A second PostgreSQL cluster on 127.0.0.1:5433 that fault tests may stop and start without
/// disturbing the tests that share the main one. Created on first use with Debian's cluster tools.
/// </summary>
public static class SparePostgres
{
    public const int Port = 5433;
    private const string Cluster = "faults";
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=pingvas;Password=pingvas;Database=postgres;Timeout=5";

    public static async Task<string> CreateDatabaseAsync()
    {
        await Gate.WaitAsync();
        try
        {
            var version = Version();
            if (!Directory.Exists($"/etc/postgresql/{version}/{Cluster}"))
            {
                await RunAsync("pg_createcluster", [version, Cluster, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }

            await StartAsync();
            await RunAsync("su", ["postgres", "-c", $"psql -p {Port} -q -v ON_ERROR_STOP=1"], stdin:
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pingvas') THEN CREATE ROLE pingvas LOGIN CREATEDB PASSWORD 'pingvas'; END IF; END $$;");
        }
        finally
        {
            Gate.Release();
        }

        var name = $"pingvas_fault_{Guid.NewGuid():N}";
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await using (var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin))
        {
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, MaxPoolSize = 20 }.ConnectionString;
    }

    public static Task StopAsync() => RunAsync("pg_ctlcluster", [Version(), Cluster, "stop", "-m", "fast"]);

    public static async Task StartAsync()
    {
        await RunAsync("pg_ctlcluster", [Version(), Cluster, "start"], allowFailure: true);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await SucceedsAsync("pg_isready", ["-q", "-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"PostgreSQL on port {Port} did not come up.");
            }

            await Task.Delay(200);
        }
    }

    private static string Version() =>
        Directory.GetDirectories("/usr/lib/postgresql").Select(Path.GetFileName).OrderBy(v => int.Parse(v!)).Last()!;

    private static async Task<bool> SucceedsAsync(string file, string[] arguments)
    {
        try
        {
            await RunAsync(file, arguments);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task RunAsync(string file, string[] arguments, bool allowFailure = false, string? stdin = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(stdin ?? "");
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 && !allowFailure)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await stderr}");
        }
    }
}
