using System.Collections.Concurrent;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Billing;

/// <summary>
/// A tiny HTTP endpoint on 127.0.0.1 that records the webhooks a fake provider sends, exactly as
/// they arrive over the wire (raw body and headers): the checkout tests check the provider side of
/// the webhook contract without depending on our own webhook handler.
/// </summary>
public sealed class WebhookSink : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<FakeWebhookDelivery> received = new();

    private WebhookSink(WebApplication app) => this.app = app;

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<FakeWebhookDelivery> Received => [.. received];

    public static async Task<WebhookSink> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var sink = new WebhookSink(app);
        app.MapPost("/hooks", async (HttpRequest request) =>
        {
            var (body, headers) = await FakeApiRequest.ReadAsync(request);
            sink.received.Enqueue(new FakeWebhookDelivery(request.Headers["X-Event-Name"].ToString(), body, headers, 200));
            return Results.Json(new { received = true });
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        sink.Url = new Uri(new Uri(address), "/hooks");
        return sink;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
