using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>
/// A real SMTP server for the tests: npm <c>smtp-server</c> 3.21.6 under Node (<c>smtp-server/server.js</c>)
/// on 127.0.0.1, offering STARTTLS with the test-only self-signed certificate in that folder
/// (the app trusts it by its pinned thumbprint, <see cref="CertificateThumbprint"/>), optionally
/// requiring AUTH, and storing each message it receives raw; <see cref="Messages"/> reads them
/// back with <see cref="ReceivedEmail"/>. Killed on dispose.
/// </summary>
public sealed class SmtpServer : IAsyncDisposable
{
    public const string From = "Pingvas Test <no-reply@pingvas.test>";
    public const string PublicUrl = "https://studio.pingvas.test";
    private const string ServerFolder = "tests/Pingvas.Server.Tests/smtp-server";
    private static readonly Lazy<string> Folder = new(LocateFolder);

    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly Lock gate = new();

    private SmtpServer(Process process, int port, string directory)
    {
        this.process = process;
        Port = port;
        Directory = directory;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    /// <summary>Where the received messages are stored (n.eml and n.json).</summary>
    public string Directory { get; }

    /// <summary>The SHA-256 thumbprint (hex) of the test-only certificate the server presents.</summary>
    public static string CertificateThumbprint { get; } = Convert.ToHexString(
        SHA256.HashData(X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(Folder.Value, "test-only-cert.pem"))).RawData));

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

    /// <summary>Starts the server (on <paramref name="port"/>, or a free one) and waits until it listens.</summary>
    /// <param name="directory">Where to store messages (a new temporary folder by default): a restarted server may keep its predecessor's.</param>
    public static async Task<SmtpServer> StartAsync(int? port = null, string? user = null, string? password = null, string? directory = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var server = Launch(port ?? FreePort(), user, password, directory);
            try
            {
                await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(20));
                return server;
            }
            catch (InvalidOperationException) when (port is null && attempt < 3 && server.Output.Contains("EADDRINUSE", StringComparison.Ordinal))
            {
                await server.StopAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>The app settings that send email through a server on <paramref name="port"/> with STARTTLS, trusting the test certificate by its thumbprint.</summary>
    public static Dictionary<string, string> AppSettings(int port, string? user = null, string? password = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Email:From"] = From,
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Email:Smtp:StartTls"] = "true",
            ["Email:Smtp:CertificateThumbprint"] = CertificateThumbprint,
            ["Email:Smtp:TimeoutSeconds"] = "10",
            ["App:PublicUrl"] = PublicUrl,
            // Failed deliveries come back quickly in tests (the default starts at 2 s).
            ["Outbox:RetryBackoffSeconds"] = "0.2",
        };
        if (user is not null)
        {
            settings["Email:Smtp:User"] = user;
            settings["Email:Smtp:Password"] = password ?? "";
        }

        return settings;
    }

    public Dictionary<string, string> AppSettings(string? user = null, string? password = null) => AppSettings(Port, user, password);

    /// <summary>Every message received so far, in the order received.</summary>
    public IReadOnlyList<ReceivedEmail> Messages()
    {
        var messages = new List<ReceivedEmail>();
        foreach (var eml in System.IO.Directory.GetFiles(Directory, "*.eml").Order(StringComparer.Ordinal))
        {
            var meta = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(eml, ".json"))).RootElement;
            messages.Add(ReceivedEmail.Parse(File.ReadAllBytes(eml),
                [.. meta.GetProperty("to").EnumerateArray().Select(t => t.GetString()!)],
                meta.GetProperty("secure").GetBoolean(),
                meta.GetProperty("user").GetString()));
        }

        return messages;
    }

    /// <summary>The messages to <paramref name="address"/> (by envelope).</summary>
    public IReadOnlyList<ReceivedEmail> MessagesTo(string address) =>
        [.. Messages().Where(m => m.EnvelopeTo.Contains(address, StringComparer.OrdinalIgnoreCase))];

    /// <summary>Waits (bounded) until <paramref name="count"/> messages to <paramref name="address"/> arrived, and returns them.</summary>
    public async Task<IReadOnlyList<ReceivedEmail>> WaitForAsync(string address, int count = 1, TimeSpan? timeout = null)
    {
        await Eventually.UntilAsync(() => Task.FromResult(MessagesTo(address).Count >= count), timeout ?? TimeSpan.FromSeconds(30),
            $"{count} email(s) to {address} should arrive", TimeSpan.FromMilliseconds(100));
        return MessagesTo(address);
    }

    /// <summary>Stops the server, keeping its messages (a new one on the same port may continue).</summary>
    public async Task StopAsync()
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
            // Exited in between, or will be reaped with the test host.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A port nobody listens on now: a server that is down.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static SmtpServer Launch(int port, string? user, string? password, string? directory)
    {
        var folder = Folder.Value;
        directory ??= Path.Combine(Path.GetTempPath(), "pingvas-smtp", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(folder, "server.js"));
        foreach (var (key, value) in new[] { ("--port", port.ToString(CultureInfo.InvariantCulture)), ("--dir", directory), ("--user", user), ("--password", password) })
        {
            if (value is not null)
            {
                info.ArgumentList.Add(key);
                info.ArgumentList.Add(value);
            }
        }

        try
        {
            return new SmtpServer(Process.Start(info) ?? throw new InvalidOperationException("node did not start."), port, directory);
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException("Could not start `node` (Node 18+ must be on PATH for the email tests).", ex);
        }
    }

    private async Task WaitUntilListeningAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync();
                throw new InvalidOperationException($"The SMTP test server exited with {process.ExitCode} before listening on {Port}.\n{Output}");
            }

            if (Output.Contains("SMTP test server listening", StringComparison.Ordinal))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The SMTP test server did not listen on {Port} within {timeout.TotalSeconds:0} s.\n{Output}");
            }

            await Task.Delay(50);
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
            output.AppendLine(line);
        }
    }

    private static string LocateFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ServerFolder);
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                if (!File.Exists(Path.Combine(candidate, "node_modules", "smtp-server", "package.json")))
                {
                    throw new InvalidOperationException(
                        $"The SMTP test server's packages are not installed: run `npm ci` in {candidate} (scripts/test.sh does this).");
                }

                return candidate;
            }
        }

        throw new InvalidOperationException($"Could not find {ServerFolder}/package.json above {AppContext.BaseDirectory}.");
    }
}
