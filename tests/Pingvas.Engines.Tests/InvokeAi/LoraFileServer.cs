using System.Collections.Concurrent;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pingvas.Engines.Tests.InvokeAi;

/// <summary>Serves LoRA files on 127.0.0.1 as the storage's signed URLs would: <c>GET /lora/{token}</c>, counting downloads.</summary>
internal sealed class LoraFileServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, byte[]> _files = new();
    private readonly ConcurrentDictionary<string, int> _downloads = new();

    private LoraFileServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public static async Task<LoraFileServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new LoraFileServer(app);
        app.MapGet("/lora/{token}", (string token) =>
        {
            server._downloads.AddOrUpdate(token, 1, (_, n) => n + 1);
            return server._files.TryGetValue(token, out var bytes)
                ? Results.File(bytes, "application/octet-stream", "lora.safetensors")
                : Results.NotFound();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    /// <summary>A user's LoRA whose signed URL serves <paramref name="bytes"/>.</summary>
    public EngineLora Add(string family, byte[] bytes, double weight = 0.75)
    {
        var token = Guid.NewGuid().ToString("N");
        _files[token] = bytes;
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        return new EngineLora(Guid.NewGuid(), family, weight, bytes.Length, sha, new Uri(BaseUrl, $"lora/{token}?signature=abc").ToString());
    }

    public int Downloads => _downloads.Values.Sum();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
