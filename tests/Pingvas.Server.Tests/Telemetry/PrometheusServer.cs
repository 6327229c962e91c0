using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Telemetry;

/// <summary>
/// A real Prometheus (Debian's <c>prometheus</c> package) scraping the given targets every second,
/// with its own config and TSDB in a temporary folder and a free loopback port; killed and its
/// folder removed on dispose. Each target is scraped as its own job, named after its role.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly Process process;
    private readonly string folder;
    private readonly StringBuilder log = new();
    private readonly HttpClient http;

    private PrometheusServer(Process process, string folder, Uri address)
    {
        this.process = process;
        this.folder = folder;
        http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
    }

    public static string Binary => Environment.GetEnvironmentVariable("PINGVAS_PROMETHEUS") ?? "/usr/bin/prometheus";

    /// <param name="targets">Role (the job name) → the base address whose /metrics is scraped.</param>
    public static async Task<PrometheusServer> StartAsync(IReadOnlyDictionary<string, Uri> targets)
    {
        Assert.True(File.Exists(Binary), $"{Binary} not found: install Debian's prometheus package (.ci/run does).");
        var folder = Directory.CreateTempSubdirectory("pingvas-prometheus-").FullName;
        var config = new StringBuilder("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n");
        foreach (var (role, address) in targets)
        {
            config.Append($"  - job_name: {role}\n    metrics_path: /metrics\n    static_configs:\n      - targets: ['{address.Authority}']\n");
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "prometheus.yml"), config.ToString());
        var port = FreePort();
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            $"--config.file={Path.Combine(folder, "prometheus.yml")}",
            $"--storage.tsdb.path={Path.Combine(folder, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var server = new PrometheusServer(Process.Start(start)!, folder, new Uri($"http://127.0.0.1:{port}/"));
        server.process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server.process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server.process.BeginOutputReadLine();
        server.process.BeginErrorReadLine();
        try
        {
            await Eventually.UntilAsync(server.IsReadyAsync, ReadyTimeout, "Prometheus did not get ready:\n" + server.Log, TimeSpan.FromMilliseconds(200));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    /// <summary>An instant query's result vector: each sample's labels and value.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string query)
    {
        using var response = await http.GetAsync("api/v1/query?query=" + Uri.EscapeDataString(query));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Prometheus answered {(int)response.StatusCode} to {query}: {body}");
        using var json = JsonDocument.Parse(body);
        var data = json.RootElement.GetProperty("data");
        Assert.Equal("vector", data.GetProperty("resultType").GetString());
        return data.GetProperty("result").EnumerateArray().Select(r => (
            (IReadOnlyDictionary<string, string>)r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? ""),
            double.Parse(r.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture))).ToList();
    }

    /// <summary>The names of every series Prometheus holds for a job (a role).</summary>
    public async Task<IReadOnlySet<string>> SeriesNamesAsync(string job)
    {
        using var response = await http.GetAsync("api/v1/series?match[]=" + Uri.EscapeDataString($"{{job=\"{job}\"}}"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Prometheus answered {(int)response.StatusCode} to series of {job}: {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("data").EnumerateArray().Select(s => s.GetProperty("__name__").GetString()!).ToHashSet();
    }

    /// <summary>The targets and their last scrape's health and error, for failure messages.</summary>
    public Task<string> TargetsAsync() => http.GetStringAsync("api/v1/targets");

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open: the temp folder is cleaned by the system later.
        }
    }

    private async Task<bool> IsReadyAsync()
    {
        Assert.False(process.HasExited, "Prometheus exited:\n" + Log);
        try
        {
            using var response = await http.GetAsync("-/ready");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
