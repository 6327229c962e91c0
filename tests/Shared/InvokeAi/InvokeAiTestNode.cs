using System.ComponentModel;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pingvas.Testing.InvokeAi;

/// <summary>
/// A protocol-faithful InvokeAI node for tests: <c>tests/invokeai-node/server.mjs</c> under Node on two
/// free loopback ports, one serving InvokeAI's REST routes and socket.io events (<see cref="BaseUrl"/>),
/// one serving the test control API (<see cref="ControlUrl"/>), which stays up while the node is "down".
/// The process exits when its stdin closes (so when the test host dies) and is killed on dispose.
/// </summary>
public sealed class InvokeAiTestNode : IAsyncDisposable
{
    private const string ServerFolder = "tests/invokeai-node";
    private static readonly Lazy<string> Folder = new(LocateFolder);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly Process process;
    private readonly HttpClient control;
    private readonly StringBuilder output = new();
    private readonly Lock gate = new();
    private readonly TaskCompletionSource<(int Port, int ControlPort)> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private InvokeAiTestNode(Process process)
    {
        this.process = process;
        control = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"The InvokeAI test node exited before listening.\n{Output}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The InvokeAI base URL (<c>http://127.0.0.1:port/</c>), as an engine's configuration would hold it.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The control API (<c>/__control/</c>) on its own port.</summary>
    public Uri ControlUrl { get; private set; } = null!;

    public int Port { get; private set; }

    /// <summary>What the node printed (log lines, errors), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (gate)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Starts the node and waits (bounded) until both ports listen.</summary>
    public static async Task<InvokeAiTestNode> StartAsync(InvokeAiTestNodeSettings? settings = null)
    {
        settings ??= new InvokeAiTestNodeSettings();
        var folder = Folder.Value;
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(folder, "server.mjs"));
        info.ArgumentList.Add("--exit-with-stdin");
        info.ArgumentList.Add("--settings");
        info.ArgumentList.Add(JsonSerializer.Serialize(settings, Json));

        Process started;
        try
        {
            started = Process.Start(info) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException("Could not start `node` (Node 20+ must be on PATH for the InvokeAI tests).", ex);
        }

        var node = new InvokeAiTestNode(started);
        try
        {
            var (port, controlPort) = await node.listening.Task.WaitAsync(TimeSpan.FromSeconds(20));
            node.Port = port;
            node.BaseUrl = new Uri($"http://127.0.0.1:{port}/");
            node.ControlUrl = new Uri($"http://127.0.0.1:{controlPort}/__control/");
            return node;
        }
        catch (TimeoutException)
        {
            await node.DisposeAsync();
            throw new TimeoutException($"The InvokeAI test node did not listen within 20 s.\n{node.Output}");
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Replaces the installed models (what <c>GET /api/v2/models/</c> lists).</summary>
    public Task SetModelsAsync(IReadOnlyList<InvokeAiModelConfig> models, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, "models", new { models }, ct);

    /// <summary>The installed models, as the control API holds them.</summary>
    public async Task<IReadOnlyList<InvokeAiModelConfig>> GetModelsAsync(CancellationToken ct = default)
    {
        var body = await control.GetFromJsonAsync<ModelsBody>(new Uri(ControlUrl, "models"), Json, ct);
        return body?.Models ?? [];
    }

    /// <summary>Changes settings; a token change applies to new requests and new socket connections.</summary>
    public Task ConfigureAsync(InvokeAiTestNodeOptions options, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, "settings", options, ct);

    /// <summary>The next item that starts fails at its first denoise (or upscale) node: <c>invocation_error</c>, then status <c>failed</c>.</summary>
    public Task FailNextAsync(string errorType = "RuntimeError", string errorMessage = "CUDA out of memory.", CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "fail-next", new { error_type = errorType, error_message = errorMessage }, ct);

    /// <summary>The next model install fails once its download is done: job status <c>error</c> with this <c>error_reason</c>/<c>error</c>, and <c>model_install_error</c>.</summary>
    public Task FailNextInstallAsync(string errorType = "RuntimeError", string errorMessage = "Simulated install failure", CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "fail-next-install", new { error_type = errorType, error_message = errorMessage }, ct);

    /// <summary>Image-storage maintenance: <c>enqueue_batch</c> answers 409 while it is on.</summary>
    public Task SetMaintenanceAsync(bool on, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, "maintenance", new { on }, ct);

    /// <summary>
    /// Restarts like InvokeAI: every pending and in-progress item becomes <c>canceled</c> (no error),
    /// all sockets drop, connections are refused for the restart downtime, then the node listens again
    /// on the same port. Returns once it is down; <see cref="WaitUntilUpAsync"/> waits for the return.
    /// </summary>
    public Task RestartAsync(TimeSpan? downtime = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "restart", new { downtime_ms = (int?)downtime?.TotalMilliseconds }, ct);

    /// <summary>
    /// A restart with InvokeAI's <c>clear_queue_on_startup: true</c>: as <see cref="RestartAsync"/>, and
    /// every item of the <c>default</c> queue, pending ones included, is deleted (GET answers 404).
    /// </summary>
    public Task RestartClearingQueueAsync(TimeSpan? downtime = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "restart", new { downtime_ms = (int?)downtime?.TotalMilliseconds, clear_queue = true }, ct);

    /// <summary>Stops listening (sockets dropped, connections refused) until <see cref="ComeBackAsync"/>; items keep their state.</summary>
    public Task GoDownAsync(CancellationToken ct = default) => SendAsync(HttpMethod.Post, "down", new { }, ct);

    public Task ComeBackAsync(CancellationToken ct = default) => SendAsync(HttpMethod.Post, "up", new { }, ct);

    /// <summary>Waits (bounded) until the InvokeAI port listens again after a restart.</summary>
    public async Task WaitUntilUpAsync(TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var state = await control.GetFromJsonAsync<StateBody>(new Uri(ControlUrl, "state"), Json, ct);
            if (state?.Listening == true)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The InvokeAI test node did not come back.\n{Output}");
            }

            await Task.Delay(25, ct);
        }
    }

    /// <summary>Everything received: enqueues, uploads, deletions, cancels, items, violations.</summary>
    public async Task<InvokeAiTestRecord> RecordAsync(CancellationToken ct = default) =>
        await control.GetFromJsonAsync<InvokeAiTestRecord>(new Uri(ControlUrl, "record"), Json, ct)
        ?? throw new InvalidOperationException("The control API returned no record.");

    /// <summary>Forgets the record (items and images stay).</summary>
    public Task ClearRecordAsync(CancellationToken ct = default) => SendAsync(HttpMethod.Delete, "record", null, ct);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // Exited in between, or will be reaped with the test host (its stdin closes then).
        }

        process.Dispose();
        control.Dispose();
    }

    private async Task SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(ControlUrl, path));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }

        using var response = await control.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            throw new InvalidOperationException($"Control {method} {path} answered {(int)response.StatusCode}: {text}");
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        Append(line);
        // The first stdout line of server.mjs: {"listening":{"port":N,"control_port":M}}.
        if (line.StartsWith("{\"listening\"", StringComparison.Ordinal))
        {
            var body = JsonSerializer.Deserialize<ListeningLine>(line, Json);
            if (body?.Listening is { } ports)
            {
                listening.TrySetResult((ports.Port, ports.ControlPort));
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (gate)
        {
            if (output.Length > 64 * 1024)
            {
                output.Remove(0, output.Length - (32 * 1024));
            }

            output.AppendLine(line);
        }
    }

    private static string LocateFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Pingvas.slnx")))
            {
                continue;
            }

            var folder = Path.Combine(dir.FullName, ServerFolder);
            if (!File.Exists(Path.Combine(folder, "node_modules", "socket.io", "package.json")))
            {
                throw new InvalidOperationException(
                    $"The InvokeAI test node's packages are not installed: run `npm ci` in {folder} (scripts/test.sh does this).");
            }

            return folder;
        }

        throw new InvalidOperationException($"Could not find Pingvas.slnx above {AppContext.BaseDirectory}.");
    }

    private sealed record ListeningLine(ListeningPorts? Listening);

    private sealed record ListeningPorts(int Port, int ControlPort);

    private sealed record ModelsBody(IReadOnlyList<InvokeAiModelConfig> Models);

    private sealed record StateBody(bool Listening, bool Maintenance);
}
