using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>A price of the fake account: recurring (<c>month</c>/<c>year</c>) for plans, one-time for top-ups.</summary>
public sealed record FakeStripePrice(string Id, string ProductName, int UnitAmount, string? Interval)
{
    public bool IsRecurring => Interval is not null;
}

/// <summary>
/// A local Stripe on 127.0.0.1 that follows https://docs.stripe.com/api: form-encoded requests with
/// bracket notation, <c>Authorization: Bearer sk_…</c>, Checkout Sessions, subscriptions and billing
/// portal sessions, and Stripe's error shape (<c>{"error":{"type","code","message","param"}}</c>,
/// 400/401/404) including "Received unknown parameter". It serves the hosted checkout page
/// (<c>GET /c/pay/{id}</c>, a Pay button) whose payment creates the customer and subscription and
/// sends <c>checkout.session.completed</c> (and <c>invoice.paid</c> for subscriptions) to
/// <see cref="WebhookUrl"/>, signed with Stripe's scheme (<c>Stripe-Signature: t=…,v1=…</c>).
/// </summary>
public sealed partial class FakeStripeApi : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly object gate = new();
    private readonly ConcurrentQueue<FakeApiRequest> requests = new();
    private readonly ConcurrentQueue<FakeWebhookDelivery> deliveries = new();
    private readonly Dictionary<string, FakeStripePrice> prices = [];
    private readonly Dictionary<string, StripeSession> sessions = [];
    private readonly Dictionary<string, StripeSubscription> subscriptions = [];
    private readonly HashSet<string> customers = [];
    private readonly HttpClient webhookClient = new() { Timeout = TimeSpan.FromSeconds(30) };
    private Task pendingWebhooks = Task.CompletedTask;

    private FakeStripeApi(WebApplication app)
    {
        this.app = app;
        AddPrice("starter_monthly", new("price_StarterMonthly01", "Starter", 2500, "month"));
        AddPrice("starter_annual", new("price_StarterAnnual01", "Starter", 25000, "year"));
        AddPrice("pro_monthly", new("price_ProMonthly01", "Pro", 7500, "month"));
        AddPrice("pro_annual", new("price_ProAnnual01", "Pro", 75000, "year"));
        AddPrice("studio_monthly", new("price_StudioMonthly01", "Studio", 15000, "month"));
        AddPrice("studio_annual", new("price_StudioAnnual01", "Studio", 150000, "year"));
        AddPrice("topup_1000", new("price_Credits1000", "1,000 credits", 1000, null));
        AddPrice("topup_5000", new("price_Credits5000", "5,000 credits", 4500, null));
        AddPrice("topup_20000", new("price_Credits20000", "20,000 credits", 16000, null));
    }

    public string SecretKey { get; } = "sk_test_" + RandomId(24);

    public string WebhookSecret { get; } = "whsec_" + RandomId(32);

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Where webhooks go; null records them without sending. <see cref="UseServer"/> sets it.</summary>
    public Uri? WebhookUrl { get; set; }

    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Statuses the next API calls answer with instead of doing their work (e.g. 500), one per call.</summary>
    public ConcurrentQueue<int> FailNext { get; } = new();

    /// <summary>Product keys (<c>pro_monthly</c>, <c>topup_1000</c>) to prices.</summary>
    public Dictionary<string, FakeStripePrice> Products { get; } = [];

    public IReadOnlyList<FakeApiRequest> Requests => [.. requests];

    public IReadOnlyList<FakeWebhookDelivery> Deliveries => [.. deliveries];

    public static async Task<FakeStripeApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeStripeApi(app);
        app.Use(fake.RecordAndGuardAsync);
        fake.MapApi(app);
        fake.MapHostedPages(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return fake;
    }

    /// <summary>The server settings that make Stripe the provider, on this fake, with every product on sale.</summary>
    public TestSettings Settings(TestSettings? on = null)
    {
        var settings = (on ?? new TestSettings())
            .With("Billing:Provider", "stripe")
            .With("Billing:Stripe:ApiUrl", BaseUrl.ToString())
            .With("Billing:Stripe:SecretKey", SecretKey)
            .With("Billing:Stripe:WebhookSecret", WebhookSecret);
        foreach (var (key, price) in Products)
        {
            settings = key.StartsWith("topup_", StringComparison.Ordinal)
                ? settings.With($"Billing:Stripe:TopUps:{key["topup_".Length..]}", price.Id)
                : settings.With($"Billing:Stripe:Prices:{key}", price.Id);
        }

        return settings;
    }

    /// <summary>Sends webhooks to the server's <c>/api/v1/webhooks/stripe</c> and follows its clock.</summary>
    public void UseServer(PingvasServer server)
    {
        WebhookUrl = new Uri(server.BaseAddress, "/api/v1/webhooks/stripe");
        Time = server.Time;
    }

    public IReadOnlyList<FakeApiRequest> RequestsTo(string method, string path) =>
        [.. Requests.Where(r => r.Method == method && r.Path == path)];

    /// <summary>Stripe's signature header for <paramref name="body"/> at <paramref name="timestamp"/>: <c>t={t},v1=hex(HMAC-SHA256(secret, "{t}.{body}"))</c>.</summary>
    public string SignatureHeader(string body, long timestamp)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(WebhookSecret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>Waits until the webhooks that API calls triggered have been sent.</summary>
    public Task WebhooksSentAsync()
    {
        lock (gate)
        {
            return pendingWebhooks;
        }
    }

    /// <summary>The subscription as <c>GET /v1/subscriptions/{id}</c> shows it.</summary>
    public JsonObject Subscription(string id)
    {
        lock (gate)
        {
            return SubscriptionObject(subscriptions[id]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        webhookClient.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private void AddPrice(string key, FakeStripePrice price)
    {
        prices[price.Id] = price;
        Products[key] = price;
    }

    private DateTimeOffset Now => Time.GetUtcNow();

    private long Unix => Now.ToUnixTimeSeconds();

    private async Task RecordAndGuardAsync(HttpContext context, RequestDelegate next)
    {
        if (!context.Request.Path.StartsWithSegments("/v1"))
        {
            await next(context);
            return;
        }

        var (body, headers) = await FakeApiRequest.ReadAsync(context.Request);

        // Recorded as the answer starts, not after the pipeline returns: a client can read the whole
        // answer before that, and a test that checks the calls right after must find this one.
        context.Response.OnStarting(() =>
        {
            requests.Enqueue(new FakeApiRequest(context.Request.Method, context.Request.Path.Value ?? "", headers, body, context.Response.StatusCode));
            return Task.CompletedTask;
        });
        context.Items["form"] = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(body)
            .ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        var refusal = Guard(context.Request, body);
        if (refusal is not null)
        {
            await refusal.ExecuteAsync(context);
        }
        else
        {
            await next(context);
        }
    }

    private IResult? Guard(HttpRequest request, string body)
    {
        var authorization = request.Headers.Authorization.ToString();
        var key = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : null;
        if (string.IsNullOrEmpty(key))
        {
            return Error(401, "invalid_request_error", null,
                "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').");
        }

        if (key != SecretKey)
        {
            var masked = key.Length > 12 ? $"{key[..8]}****{key[^4..]}" : "****";
            return Error(401, "invalid_request_error", null, $"Invalid API Key provided: {masked}");
        }

        if (body.Length > 0 && request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal) != true)
        {
            return Error(400, "invalid_request_error", null, "Invalid request: the body must be application/x-www-form-urlencoded.");
        }

        return FailNext.TryDequeue(out var status)
            ? Error(status, status >= 500 ? "api_error" : "invalid_request_error", null, "Scripted failure.")
            : null;
    }

    private static Dictionary<string, string> FormOf(HttpContext context) => (Dictionary<string, string>)context.Items["form"]!;

    /// <summary>Stripe's error body.</summary>
    private static IResult Error(int status, string type, string? code, string message, string? param = null)
    {
        var error = new JsonObject { ["message"] = message, ["type"] = type };
        if (code is not null)
        {
            error["code"] = code;
            error["doc_url"] = $"https://stripe.com/docs/error-codes/{code.Replace('_', '-')}";
        }

        if (param is not null)
        {
            error["param"] = param;
        }

        return Json(new JsonObject { ["error"] = error }, status);
    }

    private static IResult Json(JsonObject body, int status = 200) =>
        Results.Text(body.ToJsonString(), "application/json", Encoding.UTF8, status);

    private static string RandomId(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(length, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
    }

    private sealed class StripeSession
    {
        public required string Id { get; init; }

        public required string Mode { get; init; }

        public required FakeStripePrice Price { get; init; }

        public required Dictionary<string, string> Form { get; init; }

        public required long Created { get; init; }

        public string Status { get; set; } = "open";

        public string? Customer { get; set; }

        public string? Subscription { get; set; }

        public string? PaymentIntent { get; set; }
    }

    private sealed class StripeSubscription
    {
        public required string Id { get; init; }

        public required string ItemId { get; init; }

        public required string Customer { get; init; }

        public required FakeStripePrice Price { get; set; }

        public required JsonObject Metadata { get; init; }

        public required long Created { get; init; }

        public required long PeriodStart { get; set; }

        public required long PeriodEnd { get; set; }

        public string Status { get; set; } = "active";

        public bool CancelAtPeriodEnd { get; set; }
    }
}
