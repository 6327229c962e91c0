using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>
/// The real executable in a separate OS process (<c>dotnet pingvas.dll &lt;role&gt;</c>, the build the
/// test project copies next to itself), configured by environment variables as an operator would.
/// Its stdout and stderr go to a log file, quoted in failure messages. Killed on dispose.
/// </summary>
public sealed class PingvasProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process process;
    private readonly StreamWriter log;
    private readonly Lock gate = new();

    private PingvasProcess(string role, Process process, Uri baseAddress, string logPath, StreamWriter log)
    {
        Role = role;
        this.process = process;
        BaseAddress = baseAddress;
        LogPath = logPath;
        this.log = log;
    }

    /// <summary>The server build copied into the test output (the test project references it).</summary>
    public static string ServerDll
    {
        get
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "pingvas.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"The server build is not next to the tests: {dll} is missing.");
        }
    }

    public string Role { get; }

    /// <summary>The process id, which is also the pid in its worker ids (<c>host:pid:n</c>).</summary>
    public int Pid => process.Id;

    public Uri BaseAddress { get; }

    public string LogPath { get; }

    public bool HasExited => process.HasExited;

    public string Name => $"{Role} (pid {Pid}, {BaseAddress})";

    /// <summary>Starts <paramref name="role"/> on a free loopback port and waits until <c>/health/live</c> answers.</summary>
    public static async Task<PingvasProcess> StartAsync(string role, IReadOnlyDictionary<string, string> environment, string dataPath, string logFolder)
    {
        var started = Launch(role, environment, dataPath, logFolder, FreePort());
        try
        {
            await started.WaitForLiveAsync();
            return started;
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a role that exits by itself (<c>migrate</c>, or a role that refuses to start); returns its exit code. <paramref name="arguments"/> follow the role.</summary>
    public static async Task<(int ExitCode, string Log)> RunToExitAsync(
        string role, IReadOnlyDictionary<string, string> environment, string dataPath, string logFolder, TimeSpan? timeout = null, IReadOnlyList<string>? arguments = null)
    {
        await using var run = Launch(role, environment, dataPath, logFolder, FreePort(), arguments);
        using var limit = new CancellationTokenSource(timeout ?? StartTimeout);
        try
        {
            await run.process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"`pingvas {role}` did not exit within {(timeout ?? StartTimeout).TotalSeconds:0} s.\n{run.ReadLog()}");
        }

        return (run.process.ExitCode, run.ReadLog());
    }

    /// <summary>kill -9: the process and anything it started die at once, with no shutdown code run.</summary>
    public async Task KillAsync()
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        await WaitForExitAsync(TimeSpan.FromSeconds(15));
    }

    /// <summary>SIGTERM, as an orchestrator stops a pod; kill -9 if it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (process.HasExited)
        {
            return;
        }

        using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
        {
            await term!.WaitForExitAsync();
        }

        try
        {
            await WaitForExitAsync(grace);
        }
        catch (TimeoutException)
        {
            await KillAsync();
        }
    }

    public string ReadLog()
    {
        lock (gate)
        {
            log.Flush();
        }

        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var text = new StreamReader(stream).ReadToEnd();
        return text.Length <= 20_000 ? text : "…" + text[^20_000..];
    }

    public string Describe() => $"--- {Name}, log {LogPath}:\n{ReadLog()}";

    public HttpClient CreateClient(string? accessToken = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (accessToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", accessToken);
        }

        return client;
    }

    /// <summary>Waits (bounded) until <c>/health/ready</c> answers with <paramref name="status"/> (Healthy, Degraded).</summary>
    public async Task WaitForReadinessAsync(string status, TimeSpan timeout)
    {
        using var client = CreateClient();
        var deadline = DateTime.UtcNow + timeout;
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await client.GetAsync("/health/ready");
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                if (last == $"200 {status}")
                {
                    return;
                }
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{Name} did not report {status} within {timeout.TotalSeconds:0} s (last: {last}).\n{Describe()}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            await KillAsync();
        }

        process.Dispose();
        lock (gate)
        {
            log.Dispose();
        }
    }

    private static PingvasProcess Launch(string role, IReadOnlyDictionary<string, string> environment, string dataPath, string logFolder, int port, IReadOnlyList<string>? arguments = null)
    {
        Directory.CreateDirectory(logFolder);
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = dataPath,
        };
        foreach (var arg in new[] { ServerDll, role }.Concat(arguments ?? []).Concat(["--urls", baseAddress.ToString().TrimEnd('/'), "--data", dataPath]))
        {
            info.ArgumentList.Add(arg);
        }

        // Only what the test says: nothing from the runner's environment configures the server.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("PINGVAS", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var logPath = Path.Combine(logFolder, $"{role}-{port}.log");
        var log = new StreamWriter(new FileStream(logPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite), Encoding.UTF8);
        var process = new Process { StartInfo = info };
        var started = new PingvasProcess(role, process, baseAddress, logPath, log);
        process.OutputDataReceived += (_, e) => started.Append(e.Data);
        process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (gate)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private async Task WaitForLiveAsync()
    {
        using var client = CreateClient();
        client.Timeout = TimeSpan.FromSeconds(5);
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Role} exited with {process.ExitCode} while starting.\n{Describe()}");
            }

            try
            {
                using var response = await client.GetAsync("/health/live");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{Name} did not answer /health/live within {StartTimeout.TotalSeconds:0} s.\n{Describe()}");
    }

    private async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout.TotalSeconds:0} s.");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
