using System.Collections.Concurrent;
using System.Globalization;
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

/// <summary>A product variant of the fake store: a plan for an interval (<c>month</c>/<c>year</c>) or a one-off pack.</summary>
public sealed record FakeLsVariant(string Id, int ProductId, string ProductName, string Name, int PriceCents, string? Interval)
{
    public bool IsSubscription => Interval is not null;
}

/// <summary>
/// A local Lemon Squeezy on 127.0.0.1 that follows https://docs.lemonsqueezy.com/api: JSON:API over
/// <c>Authorization: Bearer</c>, <c>POST /v1/checkouts</c>, <c>GET|PATCH|DELETE /v1/subscriptions/{id}</c>,
/// answering 401/404/406/415/422 with JSON:API errors like the real one. It also serves the hosted
/// checkout (<c>GET /checkout/custom/{id}</c>, a page with a Pay button); paying creates the order
/// (and subscription) and sends the webhooks Lemon Squeezy would, signed with <see cref="SigningSecret"/>
/// (<c>X-Signature</c> = hex HMAC-SHA256 of the raw body), to <see cref="WebhookUrl"/>, then redirects
/// to the checkout's <c>redirect_url</c>. Every API call and webhook is recorded for assertions.
/// </summary>
public sealed partial class FakeLemonSqueezyApi : IAsyncDisposable
{
    private const string JsonApi = "application/vnd.api+json";

    private readonly WebApplication app;
    private readonly object gate = new();
    private readonly ConcurrentQueue<FakeApiRequest> requests = new();
    private readonly ConcurrentQueue<FakeWebhookDelivery> deliveries = new();
    private readonly Dictionary<string, FakeLsVariant> variants = [];
    private readonly Dictionary<string, LsCheckout> checkouts = [];
    private readonly Dictionary<int, LsSubscription> subscriptions = [];
    private readonly Dictionary<int, LsOrder> orders = [];
    private readonly HttpClient webhookClient = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly byte[] pageKey = RandomNumberGenerator.GetBytes(32);
    private readonly object clockGate = new();
    private DateTimeOffset lastNow;
    private int nextId = 1;

    private FakeLemonSqueezyApi(WebApplication app)
    {
        this.app = app;
        // The plans of PRODUCT.md §2 and the three top-up packs, one product per plan as a store would have them.
        AddVariant("starter_monthly", new("101", 11, "Starter", "Monthly", 2500, "month"));
        AddVariant("starter_annual", new("102", 11, "Starter", "Annual", 25000, "year"));
        AddVariant("pro_monthly", new("103", 12, "Pro", "Monthly", 7500, "month"));
        AddVariant("pro_annual", new("104", 12, "Pro", "Annual", 75000, "year"));
        AddVariant("studio_monthly", new("105", 13, "Studio", "Monthly", 15000, "month"));
        AddVariant("studio_annual", new("106", 13, "Studio", "Annual", 150000, "year"));
        AddVariant("topup_1000", new("201", 21, "Credits", "1,000 credits", 1000, null));
        AddVariant("topup_5000", new("202", 21, "Credits", "5,000 credits", 4500, null));
        AddVariant("topup_20000", new("203", 21, "Credits", "20,000 credits", 16000, null));
    }

    /// <summary>Lemon Squeezy API keys are JWTs; this one is random per fake.</summary>
    public string ApiKey { get; } = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + Base64Url(48) + "." + Base64Url(64);

    public string StoreId { get; } = "4242";

    public string SigningSecret { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The id of the store's webhook (Lemon Squeezy puts it in <c>meta.webhook_id</c>).</summary>
    public string WebhookId { get; } = Guid.NewGuid().ToString();

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Where webhooks go; null records them without sending. <see cref="UseServer"/> sets it.</summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>The fake's clock for created_at, renews_at, ends_at …; <see cref="UseServer"/> shares the server's.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Statuses the next API calls answer with instead of doing their work (e.g. 500), one per call.</summary>
    public ConcurrentQueue<int> FailNext { get; } = new();

    /// <summary>Bodies the next API calls answer with (200, verbatim) instead of doing their work: a provider answering nonsense.</summary>
    public ConcurrentQueue<string> GarbageNext { get; } = new();

    /// <summary>Product keys (<c>starter_monthly</c>, <c>topup_5000</c>) to variants.</summary>
    public Dictionary<string, FakeLsVariant> Products { get; } = [];

    public IReadOnlyList<FakeApiRequest> Requests => [.. requests];

    public IReadOnlyList<FakeWebhookDelivery> Deliveries => [.. deliveries];

    public static async Task<FakeLemonSqueezyApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeLemonSqueezyApi(app);
        app.Use(fake.RecordAndGuardAsync);
        fake.MapApi(app);
        fake.MapHostedPages(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return fake;
    }

    /// <summary>The server settings that make Lemon Squeezy the provider, on this fake, with every product on sale.</summary>
    public TestSettings Settings(TestSettings? on = null)
    {
        var settings = (on ?? new TestSettings())
            .With("Billing:Provider", "lemonsqueezy")
            .With("Billing:LemonSqueezy:ApiUrl", BaseUrl.ToString())
            .With("Billing:LemonSqueezy:ApiKey", ApiKey)
            .With("Billing:LemonSqueezy:StoreId", StoreId)
            .With("Billing:LemonSqueezy:SigningSecret", SigningSecret);
        foreach (var (key, variant) in Products)
        {
            settings = key.StartsWith("topup_", StringComparison.Ordinal)
                ? settings.With($"Billing:LemonSqueezy:TopUps:{key["topup_".Length..]}", variant.Id)
                : settings.With($"Billing:LemonSqueezy:Variants:{key}", variant.Id);
        }

        return settings;
    }

    /// <summary>Sends webhooks to the server's <c>/api/v1/webhooks/lemonsqueezy</c> and follows its clock.</summary>
    public void UseServer(PingvasServer server)
    {
        WebhookUrl = new Uri(server.BaseAddress, "/api/v1/webhooks/lemonsqueezy");
        Time = server.Time;
    }

    /// <summary>The calls made to one API path (e.g. <c>/v1/checkouts</c>).</summary>
    public IReadOnlyList<FakeApiRequest> RequestsTo(string method, string path) =>
        [.. Requests.Where(r => r.Method == method && r.Path == path)];

    /// <summary>The hex HMAC-SHA256 of <paramref name="body"/> with the signing secret: what <c>X-Signature</c> must be.</summary>
    public string Sign(string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SigningSecret), Encoding.UTF8.GetBytes(body)));

    public async ValueTask DisposeAsync()
    {
        webhookClient.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private void AddVariant(string key, FakeLsVariant variant)
    {
        variants[variant.Id] = variant;
        Products[key] = variant;
    }

    /// <summary>
    /// The fake's time, strictly increasing (by a microsecond at least): two changes of one object
    /// never share an <c>updated_at</c>, which receivers may key events on.
    /// </summary>
    private DateTimeOffset Now
    {
        get
        {
            lock (clockGate)
            {
                var now = Time.GetUtcNow();
                lastNow = now > lastNow ? now : lastNow.AddTicks(10);
                return lastNow;
            }
        }
    }

    private int NextId() => Interlocked.Increment(ref nextId);

    /// <summary>Records every API call, checks the key and the JSON:API media types, and plays scripted failures.</summary>
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
        context.Items["body"] = body;
        var response = Guard(context.Request, body);
        if (response is not null)
        {
            await response.ExecuteAsync(context);
        }
        else
        {
            await next(context);
        }
    }

    private IResult? Guard(HttpRequest request, string body)
    {
        if (request.Headers.Authorization.ToString() != $"Bearer {ApiKey}")
        {
            return Error(401, "Unauthorized", "Unauthenticated.");
        }

        if (!request.Headers.Accept.ToString().Contains(JsonApi, StringComparison.Ordinal))
        {
            return Error(406, "Not Acceptable", $"The Accept header must be {JsonApi}.");
        }

        if (body.Length > 0 && request.ContentType != JsonApi)
        {
            return Error(415, "Unsupported Media Type", $"The Content-Type header must be {JsonApi}.");
        }

        if (GarbageNext.TryDequeue(out var garbage))
        {
            return Results.Text(garbage, JsonApi, Encoding.UTF8, 200);
        }

        return FailNext.TryDequeue(out var status)
            ? Error(status, status >= 500 ? "Internal Server Error" : "Error", "Scripted failure.")
            : null;
    }

    private static string BodyOf(HttpContext context) => (string)context.Items["body"]!;

    private static IResult Error(int status, string title, string detail, string? pointer = null)
    {
        var error = new JsonObject { ["detail"] = detail, ["status"] = status.ToString(CultureInfo.InvariantCulture), ["title"] = title };
        if (pointer is not null)
        {
            error["source"] = new JsonObject { ["pointer"] = pointer };
        }

        return Document(new JsonObject { ["jsonapi"] = Version(), ["errors"] = new JsonArray(error) }, status);
    }

    private static IResult Document(JsonObject document, int status = 200) =>
        Results.Text(document.ToJsonString(), JsonApi, Encoding.UTF8, status);

    private static JsonObject Version() => new() { ["version"] = "1.0" };

    private JsonObject Resource(string type, string id, JsonObject attributes) => new()
    {
        ["jsonapi"] = Version(),
        ["links"] = new JsonObject { ["self"] = $"{BaseUrl}v1/{type}/{id}" },
        ["data"] = ResourceObject(type, id, attributes),
    };

    private JsonObject ResourceObject(string type, string id, JsonObject attributes) => new()
    {
        ["type"] = type,
        ["id"] = id,
        ["attributes"] = attributes,
        ["links"] = new JsonObject { ["self"] = $"{BaseUrl}v1/{type}/{id}" },
    };

    /// <summary>Lemon Squeezy's timestamps: ISO 8601 with microseconds, UTC.</summary>
    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static JsonNode? StampOrNull(DateTimeOffset? at) => at is { } value ? JsonValue.Create(Stamp(value)) : null;

    private string PageSignature(string id) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(pageKey, Encoding.UTF8.GetBytes(id)));

    private static string Base64Url(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed class LsCheckout
    {
        public required string Id { get; init; }

        public required FakeLsVariant Variant { get; init; }

        public required JsonObject CheckoutData { get; init; }

        public required JsonObject ProductOptions { get; init; }

        public required DateTimeOffset CreatedAt { get; init; }

        public string? OrderId { get; set; }
    }

    private sealed class LsOrder
    {
        public required int Id { get; init; }

        public required int ItemId { get; init; }

        public required int CustomerId { get; init; }

        public required FakeLsVariant Variant { get; init; }

        public required string UserName { get; init; }

        public required string UserEmail { get; init; }

        public required JsonObject Custom { get; init; }

        public required DateTimeOffset CreatedAt { get; init; }

        public Guid Identifier { get; } = Guid.NewGuid();

        public bool Refunded { get; set; }

        public DateTimeOffset? RefundedAt { get; set; }

        public DateTimeOffset UpdatedAt { get; set; }
    }

    private sealed class LsSubscription
    {
        public required int Id { get; init; }

        public required LsOrder Order { get; init; }

        public required FakeLsVariant Variant { get; set; }

        public required DateTimeOffset RenewsAt { get; set; }

        public string Status { get; set; } = "active";

        public bool Cancelled { get; set; }

        public DateTimeOffset? EndsAt { get; set; }

        public required DateTimeOffset CreatedAt { get; init; }

        public DateTimeOffset UpdatedAt { get; set; }
    }
}
