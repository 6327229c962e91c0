using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

using Pingvas.Server.Storage;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>
/// A real S3-compatible server for the tests: npm <c>s3rver</c> 3.7.1 under Node (<c>s3-server/</c>) on a
/// free 127.0.0.1 port, with its own temporary folder and one bucket created at startup; killed on dispose.
/// s3rver accepts any well-formed SigV4 request with its access key (S3RVER/S3RVER) without checking the
/// signature, and serves objects to unsigned requests too: it proves the wire protocol, not authorization.
/// </summary>
public sealed class S3Server : IAsyncDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    private const string ServerFolder = "tests/Pingvas.Server.Tests/s3-server";
    private static readonly Lazy<string> Folder = new(LocateFolder);

    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly Lock gate = new();

    private S3Server(Process process, int port, string directory, string bucket)
    {
        this.process = process;
        Port = port;
        Directory = directory;
        Bucket = bucket;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public string Directory { get; }

    public string Bucket { get; }

    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    /// <summary>What s3rver printed (its request log), for failure messages.</summary>
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

    /// <summary>Starts s3rver with <paramref name="bucket"/> and waits (bounded) until its port answers.</summary>
    public static async Task<S3Server> StartAsync(string bucket = "pingvas-test")
    {
        // The free port is probed and then released, so another process may take it in between: retry then.
        for (var attempt = 1; ; attempt++)
        {
            var server = Launch(bucket);
            try
            {
                await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(20));
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && server.Output.Contains("EADDRINUSE", StringComparison.Ordinal))
            {
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>An object store on this server, configured as the app configures it.</summary>
    public S3ObjectStore CreateStore(int presignSeconds = 3600, string? publicBaseUrl = null) =>
        new(new S3StorageOptions
        {
            ServiceUrl = ServiceUrl,
            Bucket = Bucket,
            AccessKey = AccessKey,
            SecretKey = SecretKey,
            PresignSeconds = presignSeconds,
            PublicBaseUrl = publicBaseUrl,
        });

    /// <summary>The app settings that select this server as the object store.</summary>
    public Dictionary<string, string> AppSettings() => new()
    {
        ["Storage:Provider"] = "s3",
        ["Storage:S3:ServiceUrl"] = ServiceUrl,
        ["Storage:S3:Bucket"] = Bucket,
        ["Storage:S3:AccessKey"] = AccessKey,
        ["Storage:S3:SecretKey"] = SecretKey,
    };

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
            // Exited in between, or will be reaped with the test host.
        }

        process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static S3Server Launch(string bucket)
    {
        var folder = Folder.Value;
        var directory = Path.Combine(Path.GetTempPath(), "pingvas-s3rver", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var port = FreePort();
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            // s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
            "--openssl-legacy-provider",
            Path.Combine(folder, "node_modules", "s3rver", "bin", "s3rver.js"),
            "--address", "127.0.0.1",
            "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--directory", directory,
            "--configure-bucket", bucket,
        })
        {
            info.ArgumentList.Add(arg);
        }

        try
        {
            return new S3Server(Process.Start(info) ?? throw new InvalidOperationException("node did not start."), port, directory, bucket);
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException("Could not start `node` (Node 18+ must be on PATH for the S3 tests).", ex);
        }
    }

    private async Task WaitUntilListeningAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(); // and for the rest of its output
                throw new InvalidOperationException($"s3rver exited with {process.ExitCode} before listening on {ServiceUrl}.\n{Output}");
            }

            // Ready when the port answers and s3rver said so (so it is ours, not another process on a reused port, and the bucket exists).
            if (await PortAnswersAsync() && Output.Contains("S3rver listening on", StringComparison.Ordinal))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"s3rver did not listen on {ServiceUrl} within {timeout.TotalSeconds:0} s.\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    private async Task<bool> PortAnswersAsync()
    {
        try
        {
            using var probe = new TcpClient();
            await probe.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
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
            // Keep the tail only: the request log of a long test class is not needed in full.
            if (output.Length > 64 * 1024)
            {
                output.Remove(0, output.Length - (32 * 1024));
            }

            output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string LocateFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ServerFolder);
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                if (!File.Exists(Path.Combine(candidate, "node_modules", "s3rver", "bin", "s3rver.js")))
                {
                    throw new InvalidOperationException(
                        $"The S3 test server's packages are not installed: run `npm ci` in {candidate} (scripts/test.sh does this).");
                }

                return candidate;
            }
        }

        throw new InvalidOperationException($"Could not find {ServerFolder}/package.json above {AppContext.BaseDirectory}.");
    }
}
