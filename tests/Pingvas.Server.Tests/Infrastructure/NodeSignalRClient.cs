using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>How <c>watch.mjs</c> connects: the token in a header (Node/.NET clients) or in the query (browsers), with or without negotiation.</summary>
public sealed record NodeSignalROptions
{
    /// <summary><c>header</c>: accessTokenFactory; <c>query</c>: <c>?access_token=</c> in the hub URL, as a browser sends it.</summary>
    public string Auth { get; init; } = "header";

    /// <summary><c>websockets</c>, <c>serversentevents</c>, <c>longpolling</c> (forced) or <c>auto</c> (what negotiation picks).</summary>
    public string Transport { get; init; } = "websockets";

    public bool SkipNegotiation { get; init; }

    /// <summary>The client's own hard limit: it exits by itself after this long whatever happens.</summary>
    public int Seconds { get; init; } = 25;

    /// <summary>Exit after this many terminal events of any job (0: not used).</summary>
    public int Terminals { get; init; }

    /// <summary><c>?since=</c> in the hub URL: the snapshot on connect holds the jobs finished since then.</summary>
    public DateTime? Since { get; init; }

    public override string ToString() => $"{Auth}/{Transport}{(SkipNegotiation ? "/skip-negotiation" : string.Empty)}";
}

/// <summary>A <c>generation</c> event as the Node client received it: the REST shape plus the live-only fields.</summary>
public sealed record GenerationEventBody(
    Guid Id, string Status, string Model, int Width, int Height, int Steps, int BatchSize, int? QueuePosition,
    ProgressBody Progress, List<ImageRefBody> Images, double? GpuSeconds, int ReservedCredits, int? CreditsCharged,
    string? Engine, ErrorBody? Error, string? Preview, int? Balance);

/// <summary>
/// The npm <c>@microsoft/signalr</c> client, run under Node as a child process (<c>signalr-client/watch.mjs</c>):
/// a real SignalR client on the wire, since the .NET client is not on this stack. Its stdout (one JSON
/// object per line) is read as it comes; the process is killed on dispose if it is still running.
/// </summary>
public sealed class NodeSignalRClient : IAsyncDisposable
{
    private const string ClientFolder = "tests/Pingvas.Server.Tests/signalr-client";
    private static readonly Lazy<string> Folder = new(LocateFolder);

    private readonly Process process;
    private readonly List<JsonElement> lines = [];
    private readonly StringBuilder stderr = new();
    private readonly Lock gate = new();
    private readonly Task pumps;
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool pumpsDone;

    private NodeSignalRClient(Process process, NodeSignalROptions options)
    {
        this.process = process;
        Options = options;
        pumps = Task.WhenAll(Task.Run(ReadStdoutAsync), Task.Run(ReadStderrAsync));
        Exited = WaitForExitAsync();
    }

    public NodeSignalROptions Options { get; }

    /// <summary>The exit code, once the client ended (by itself or killed) and all its output was read.</summary>
    public Task<int> Exited { get; }

    public string Stderr
    {
        get
        {
            lock (gate)
            {
                return stderr.ToString();
            }
        }
    }

    /// <summary>The transport the client connected with (<c>websockets</c>, <c>serversentevents</c>, <c>longpolling</c>), once connected.</summary>
    public string? Transport =>
        Lines.Where(l => Kind(l) == "connected").Select(l => l.GetProperty("transport").GetString()).FirstOrDefault();

    /// <summary>Every stdout line so far, in arrival order.</summary>
    public IReadOnlyList<JsonElement> Lines
    {
        get
        {
            lock (gate)
            {
                return [.. lines];
            }
        }
    }

    /// <summary>The <c>generation</c> events so far, in arrival order.</summary>
    public IReadOnlyList<GenerationEventBody> Generations =>
        [.. Lines.Where(l => Kind(l) == "generation").Select(l => l.GetProperty("data").Deserialize<GenerationEventBody>(Json.Options)!)];

    /// <summary>The folder holding <c>watch.mjs</c>, found by walking up from the test assembly.</summary>
    public static string ClientDirectory => Folder.Value;

    /// <summary>Starts the client and waits until it is connected (and in its user's group); throws with its output if it is not.</summary>
    public static async Task<NodeSignalRClient> ConnectAsync(Uri baseAddress, string? accessToken, NodeSignalROptions? options = null)
    {
        var client = Start(baseAddress, accessToken, options);
        try
        {
            await client.WaitForLineAsync(l => Kind(l) is "connected" or "refused" or "closed", TimeSpan.FromSeconds(15));
            if (client.Lines.All(l => Kind(l) != "connected"))
            {
                throw new InvalidOperationException($"The SignalR client did not connect ({client.Options}).\n{client.Describe()}");
            }

            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the client without waiting for anything.</summary>
    public static NodeSignalRClient Start(Uri baseAddress, string? accessToken, NodeSignalROptions? options = null)
    {
        options ??= new NodeSignalROptions();
        var folder = ClientDirectory;
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(Path.Combine(folder, "watch.mjs"));
        info.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
        info.ArgumentList.Add(accessToken ?? "-");
        info.ArgumentList.Add("--auth");
        info.ArgumentList.Add(options.Auth);
        info.ArgumentList.Add("--transport");
        info.ArgumentList.Add(options.Transport);
        if (options.SkipNegotiation)
        {
            info.ArgumentList.Add("--skip-negotiation");
        }

        info.ArgumentList.Add("--watch-stdin");
        info.ArgumentList.Add("--seconds");
        info.ArgumentList.Add(options.Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (options.Terminals > 0)
        {
            info.ArgumentList.Add("--terminals");
            info.ArgumentList.Add(options.Terminals.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (options.Since is { } since)
        {
            info.ArgumentList.Add("--since");
            info.ArgumentList.Add(since.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException("Could not start `node` (Node 18+ must be on PATH for the realtime tests).", ex);
        }

        return new NodeSignalRClient(process, options);
    }

    /// <summary>Tells the client to exit once <paramref name="jobId"/> reached a terminal state (succeeded, failed, cancelled).</summary>
    public async Task ExitAfterAsync(Guid jobId)
    {
        await process.StandardInput.WriteLineAsync(jobId.ToString());
        await process.StandardInput.FlushAsync();
    }

    /// <summary>Waits (bounded) for a <c>generation</c> event that matches.</summary>
    public async Task<GenerationEventBody> WaitForEventAsync(Func<GenerationEventBody, bool> match, TimeSpan? timeout = null)
    {
        var line = await WaitForLineAsync(
            l => Kind(l) == "generation" && match(l.GetProperty("data").Deserialize<GenerationEventBody>(Json.Options)!),
            timeout ?? TimeSpan.FromSeconds(20));
        return line.GetProperty("data").Deserialize<GenerationEventBody>(Json.Options)!;
    }

    /// <summary>Waits (bounded) for the client to end by itself; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            return await Exited.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The SignalR client ({Options}) was still running after {timeout.TotalSeconds:0} s.\n{Describe()}");
        }
    }

    public static string? Kind(JsonElement line) =>
        line.ValueKind == JsonValueKind.Object && line.TryGetProperty("event", out var kind) ? kind.GetString() : null;

    public string Describe() =>
        $"stdout:\n{string.Join('\n', Lines.Select(l => Truncate(l.GetRawText())))}\nstderr:\n{Stderr}";

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited in between.
        }

        try
        {
            await Exited.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
        }

        process.Dispose();
    }

    private async Task<JsonElement> WaitForLineAsync(Func<JsonElement, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var seen = 0;
        while (true)
        {
            Task next;
            List<JsonElement> fresh;
            bool ended;
            lock (gate)
            {
                fresh = lines.Skip(seen).ToList();
                seen = lines.Count;
                next = changed.Task;
                ended = pumpsDone;
            }

            foreach (var line in fresh)
            {
                if (match(line))
                {
                    return line;
                }
            }

            if (ended)
            {
                throw new InvalidOperationException($"The SignalR client ({Options}) ended without the expected line (exit {ExitCodeOrNull()}).\n{Describe()}");
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"The SignalR client ({Options}) did not print the expected line within {timeout.TotalSeconds:0} s.\n{Describe()}");
            }

            await Task.WhenAny(next, Task.Delay(left));
        }
    }

    private async Task ReadStdoutAsync()
    {
        try
        {
            while (await process.StandardOutput.ReadLineAsync() is { } text)
            {
                JsonElement parsed;
                try
                {
                    parsed = JsonDocument.Parse(text).RootElement.Clone();
                }
                catch (JsonException)
                {
                    // Not ours: keep it visible in failure messages as a string.
                    parsed = JsonSerializer.SerializeToElement(text);
                }

                lock (gate)
                {
                    lines.Add(parsed);
                    Pulse();
                }
            }
        }
        finally
        {
            lock (gate)
            {
                pumpsDone = true;
                Pulse();
            }
        }
    }

    private async Task ReadStderrAsync()
    {
        while (await process.StandardError.ReadLineAsync() is { } text)
        {
            lock (gate)
            {
                stderr.AppendLine(text);
            }
        }
    }

    private void Pulse()
    {
        changed.TrySetResult();
        changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The exit code once the process ended and everything it printed was read.</summary>
    private async Task<int> WaitForExitAsync()
    {
        await process.WaitForExitAsync();
        await pumps;
        return process.ExitCode;
    }

    private string ExitCodeOrNull() => process.HasExited ? process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "still running";

    private static string Truncate(string text) => text.Length <= 600 ? text : text[..600] + "…";

    private static string LocateFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ClientFolder);
            if (File.Exists(Path.Combine(candidate, "watch.mjs")))
            {
                if (!File.Exists(Path.Combine(candidate, "node_modules", "@microsoft", "signalr", "package.json")))
                {
                    throw new InvalidOperationException(
                        $"The Node SignalR client's packages are not installed: run `npm ci` in {candidate} (the test script does this).");
                }

                return candidate;
            }
        }

        throw new InvalidOperationException($"Could not find {ClientFolder}/watch.mjs above {AppContext.BaseDirectory}.");
    }
}
