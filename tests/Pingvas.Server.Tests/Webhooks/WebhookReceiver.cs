using System.Collections.Concurrent;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Pingvas.Server.Tests.Webhooks;

/// <summary>One request the receiver got: its webhook headers, raw body and answer.</summary>
public sealed record ReceivedWebhook(string Path, IReadOnlyDictionary<string, string> Headers, string Body, int Answered)
{
    public string Id => Headers["webhook-id"];

    public string Type => System.Text.Json.JsonDocument.Parse(Body).RootElement.GetProperty("type").GetString()!;
}

/// <summary>
/// A webhook receiver on a free 127.0.0.1 port (Kestrel, in the test process): records every
/// request and answers 200, or 500 for the next <see cref="FailNext"/> requests (or always, with <see cref="FailAll"/>).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private int failNext;

    private WebhookReceiver(WebApplication app) => this.app = app;

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    public bool FailAll { get; set; }

    public void FailNext(int count) => Interlocked.Exchange(ref failNext, count);

    public string Url(string path = "/hook") => new Uri(BaseAddress, path).ToString();

    public IReadOnlyList<ReceivedWebhook> At(string path) => Received.Where(r => r.Path == path).ToList();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", (Delegate)receiver.ReceiveAsync);
        await app.StartAsync();
        receiver.BaseAddress = new Uri(app.Urls.Single());
        return receiver;
    }

    private async Task<IResult> ReceiveAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.Where(h => h.Key.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var fail = FailAll || Interlocked.Decrement(ref failNext) >= 0;
        var status = fail ? 500 : 200;
        Received.Enqueue(new ReceivedWebhook(context.Request.Path.Value ?? "", headers, body, status));
        return Results.StatusCode(status);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
