using System.Collections.Concurrent;
using System.Diagnostics;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using Pingvas.Engines.Imaging;

namespace Pingvas.Relay.Fakes;

/// <summary>What the fake answers to the next provider call (then it goes back to success).</summary>
public enum Scripted
{
    Ok,

    /// <summary>429 with <c>Retry-After: 1</c>.</summary>
    Throttle,

    ServerError,

    Unavailable,

    /// <summary>Never answers (until the client gives up): a timeout.</summary>
    Hang,

    /// <summary>The provider's content-policy refusal, in its own shape.</summary>
    Refuse,

    /// <summary>Stability: 402, our account is out of credit.</summary>
    PaymentRequired,

    /// <summary>A success whose image bytes do not decode.</summary>
    Garbage,
}

/// <summary>One call the fake received, with when it arrived and what about it broke the provider's documented contract.</summary>
public sealed record RecordedCall(string Method, string Path, TimeSpan At, IReadOnlyList<string> Violations);

/// <summary>
/// A local stand-in for Gemini, Stability AI and Replicate on 127.0.0.1, following each provider's
/// documented request and response shapes and checking what we send (auth header, body shape):
/// a request that breaks the contract is answered 400 and recorded as a violation, so tests fail on
/// it. Answers are scripted per call (<see cref="Script"/>); an empty script means success.
/// </summary>
public sealed partial class FakeProviderServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<RecordedCall> calls = new();

    private FakeProviderServer(WebApplication app, string apiKey)
    {
        this.app = app;
        ApiKey = apiKey;
    }

    public string ApiKey { get; }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Answers for the next calls, in order; each provider call takes one.</summary>
    public ConcurrentQueue<Scripted> Script { get; } = new();

    public IReadOnlyList<RecordedCall> Calls => [.. calls];

    /// <summary>Provider generation calls (not polls, cancels or downloads).</summary>
    public int GenerateCalls => Calls.Count(c => c.Method == "POST" && !c.Path.EndsWith("/cancel", StringComparison.Ordinal));

    public IEnumerable<string> Violations => Calls.SelectMany(c => c.Violations);

    /// <summary>Replicate: how many polls a prediction answers "processing" before it succeeds.</summary>
    public int ReplicatePolls { get; set; }

    /// <summary>Replicate: the output URL to hand out instead of this server's own file (an SSRF probe).</summary>
    public string? ReplicateOutputUrl { get; set; }

    /// <summary>Image size the fake draws.</summary>
    public int ImageSide { get; set; } = 32;

    public static async Task<FakeProviderServer> StartAsync(string apiKey = "test-key-7f3a9c")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeProviderServer(app, apiKey);
        server.MapGemini(app);
        server.MapStability(app);
        server.MapReplicate(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    /// <summary>A small valid PNG, different per call so tests can tell images apart.</summary>
    public byte[] Png()
    {
        var image = new RgbaImage(ImageSide, ImageSide);
        var shade = (byte)(calls.Count * 37 % 256);
        for (var i = 0; i < image.Pixels.Length; i += 4)
        {
            image.Pixels[i] = shade;
            image.Pixels[i + 1] = 128;
            image.Pixels[i + 2] = 200;
            image.Pixels[i + 3] = 255;
        }

        return PngEncoder.Encode(image);
    }

    private Scripted Next() => Script.TryDequeue(out var next) ? next : Scripted.Ok;

    private void Record(HttpContext context, List<string> violations) =>
        calls.Enqueue(new RecordedCall(context.Request.Method, context.Request.Path.Value ?? "", clock.Elapsed, violations));

    /// <summary>A bounded hang: the client's timeout or cancellation ends it long before.</summary>
    private static async Task HangAsync(HttpContext context)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
