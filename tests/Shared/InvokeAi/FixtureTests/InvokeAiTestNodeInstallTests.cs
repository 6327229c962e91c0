using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

using Pingvas.Testing.InvokeAi;

namespace Pingvas.Testing.InvokeAi.FixtureTests;

/// <summary>
/// Model installs through the fixture: a LoRA served on loopback is downloaded, probed and registered,
/// and the record's <see cref="InvokeAiTestRecord.Installs"/> and <see cref="InvokeAiTestRecord.DeletedModels"/> say so.
/// </summary>
public sealed class InvokeAiTestNodeInstallTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_served_sdxl_lora_installs_is_recorded_with_its_sha256_and_deletes()
    {
        var bytes = InvokeAiTestLoras.Safetensors("sdxl", salt: 7);
        using var files = new FileServer(bytes);
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 1 });
        using var http = new HttpClient { BaseAddress = node.BaseUrl };

        var job = await InstallAsync(http, files.Url, "my-style");
        Assert.Equal("completed", job["status"]!.GetValue<string>());
        var config = job["config_out"]!;
        Assert.Equal("lora", config["type"]!.GetValue<string>());
        Assert.Equal("sdxl", config["base"]!.GetValue<string>());
        Assert.Equal("lycoris", config["format"]!.GetValue<string>());
        Assert.Equal("my-style", config["name"]!.GetValue<string>());
        var key = config["key"]!.GetValue<string>();

        var install = Assert.Single((await node.RecordAsync()).Installs);
        Assert.Equal(files.Url, install.Source);
        Assert.Equal("completed", install.Status);
        Assert.Equal(bytes.Length, install.Bytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), install.Sha256);
        Assert.Equal(key, install.Key);
        Assert.Contains(await node.GetModelsAsync(), m => m.Key == key && m.Type == "lora");

        using (var delete = await http.DeleteAsync($"api/v2/models/i/{key}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        Assert.Equal([key], (await node.RecordAsync()).DeletedModels);
        Assert.DoesNotContain(await node.GetModelsAsync(), m => m.Key == key);
    }

    [Fact]
    public async Task Private_urls_when_refused_and_injected_failures_end_the_job_in_error()
    {
        using var files = new FileServer(InvokeAiTestLoras.Safetensors("sd-1"));
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { AllowPrivateDownloadUrls = false });
        using var http = new HttpClient { BaseAddress = node.BaseUrl };

        var refused = await InstallAsync(http, files.Url, null);
        Assert.Equal("error", refused["status"]!.GetValue<string>());
        Assert.Equal("UnsafeDownloadURLException", refused["error_reason"]!.GetValue<string>());

        await node.ConfigureAsync(new InvokeAiTestNodeOptions { AllowPrivateDownloadUrls = true });
        await node.FailNextInstallAsync("OSError", "No space left on device");
        var failed = await InstallAsync(http, files.Url, null);
        Assert.Equal("OSError", failed["error_reason"]!.GetValue<string>());
        Assert.Equal("No space left on device", failed["error"]!.GetValue<string>());

        var ok = await InstallAsync(http, files.Url, null);
        Assert.Equal("sd-1", ok["config_out"]!["base"]!.GetValue<string>());
        Assert.Equal(["error", "error", "completed"], (await node.RecordAsync()).Installs.Select(i => i.Status));
    }

    private static async Task<JsonNode> InstallAsync(HttpClient http, string source, string? name)
    {
        var body = new JsonObject();
        if (name is not null)
        {
            body["name"] = name;
        }

        using var response = await http.PostAsJsonAsync($"api/v2/models/install?source={Uri.EscapeDataString(source)}", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<int>();
        var deadline = DateTime.UtcNow + Bounded;
        while (true)
        {
            var job = await http.GetFromJsonAsync<JsonObject>($"api/v2/models/install/{id}");
            if (job!["status"]!.GetValue<string>() is "completed" or "error" or "cancelled")
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"install {id} still {job["status"]}");
            await Task.Delay(20);
        }
    }

    /// <summary>Serves one file on loopback for every GET.</summary>
    private sealed class FileServer : IDisposable
    {
        private readonly HttpListener listener = new();

        public FileServer(byte[] bytes)
        {
            var port = FreePort();
            Url = $"http://127.0.0.1:{port}/loras/style.safetensors";
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener.Start();
            _ = Task.Run(async () =>
            {
                while (listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await listener.GetContextAsync();
                    }
                    catch (Exception) when (!listener.IsListening)
                    {
                        return;
                    }

                    context.Response.ContentLength64 = bytes.Length;
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                }
            });
        }

        public string Url { get; }

        public void Dispose() => listener.Close();

        private static int FreePort()
        {
            using var socket = new TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }
    }
}
