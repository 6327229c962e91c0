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
/// A path may be held (<see cref="Hold"/>): its requests get no answer until the test releases it.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> holds = new();
    private readonly ConcurrentDictionary<string, int> waiting = new();
    private int failNext;

    private WebhookReceiver(WebApplication app) => this.app = app;

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    public bool FailAll { get; set; }

    public void FailNext(int count) => Interlocked.Exchange(ref failNext, count);

    public string Url(string path = "/hook") => new Uri(BaseAddress, path).ToString();

    public IReadOnlyList<ReceivedWebhook> At(string path) => Received.Where(r => r.Path == path).ToList();

    /// <summary>From now on, requests to <paramref name="path"/> wait for <see cref="Release"/> before they are answered (and recorded).</summary>
    public void Hold(string path) => holds[path] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Answers the requests held at <paramref name="path"/>; later ones are answered at once.</summary>
    public void Release(string path)
    {
        if (holds.TryRemove(path, out var hold))
        {
            hold.TrySetResult();
        }
    }

    /// <summary>How many requests to <paramref name="path"/> are waiting for their answer now.</summary>
    public int HeldAt(string path) => waiting.GetValueOrDefault(path);

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
        var path = context.Request.Path.Value ?? "";
        if (holds.TryGetValue(path, out var hold))
        {
            waiting.AddOrUpdate(path, 1, (_, n) => n + 1);
            try
            {
                await hold.Task.WaitAsync(context.RequestAborted);
            }
            finally
            {
                waiting.AddOrUpdate(path, 0, (_, n) => n - 1);
            }
        }

        var headers = context.Request.Headers.Where(h => h.Key.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var fail = FailAll || Interlocked.Decrement(ref failNext) >= 0;
        var status = fail ? 500 : 200;
        Received.Enqueue(new ReceivedWebhook(path, headers, body, status));
        return Results.StatusCode(status);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var path in holds.Keys)
        {
            Release(path);
        }

        await app.StopAsync();
        await app.DisposeAsync();
    }
}
