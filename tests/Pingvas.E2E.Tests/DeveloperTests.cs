using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;
using Pingvas.Server.Tests.Infrastructure;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

/// <summary>
/// The developer pages (issue 13) in the browser against the real server: a Starter user makes a
/// key (shown once, copied), submits with it over plain HTTP, sees the call in the usage chart,
/// revokes it and the key is refused; adds a webhook endpoint pointing at a local receiver, sends
/// a test (signed: checked here by an independent HMAC), sees it delivered and redelivers it. Every
/// developer page is captured at both widths in both languages.
/// </summary>
[Collection(DeveloperBrowserCollection.Name)]
public sealed partial class DeveloperTests(DeveloperBrowserFixture browser)
{
    [Fact]
    public async Task A_key_is_shown_once_submits_a_generation_counts_in_the_chart_and_fails_once_revoked()
    {
        await using var ui = await browser.OpenAsync(Viewport.Desktop);
        var page = ui.Page;
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        using var session = await ui.SignUpOnPlanAsync("starter");

        // Through the header's More menu, as a user finds it.
        await ui.GoAsync("/generate");
        await page.Locator("header summary").ClickAsync();
        await page.Locator("header").GetByRole(AriaRole.Link, new() { Name = "Developers" }).ClickAsync();
        await ui.SettledAsync();
        await Expect(page.Locator("main h1")).ToHaveTextAsync("API keys");
        await Expect(page.GetByTestId("api-usage-summary")).ToContainTextAsync("Used 0 of 50 this month");

        await page.GetByRole(AriaRole.Button, new() { Name = "Create key", Exact = true }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.Locator("#key-name").FillAsync("Render farm");
        await Expect(dialog.Locator("input[value='generate']")).ToBeCheckedAsync();
        await Expect(dialog.Locator("input[value='read']")).ToBeCheckedAsync();
        await Expect(dialog.Locator("input[value='webhooks']")).Not.ToBeCheckedAsync();
        await dialog.Locator("form button[type=submit]").ClickAsync();
        var shown = dialog.GetByTestId("secret-value");
        await Expect(shown).ToHaveValueAsync(ApiKeyFormat());
        var key = await shown.InputValueAsync();
        await Expect(dialog).ToContainTextAsync("you will not see it again");
        await ui.ScreenshotAsync("developer-key-created");

        await dialog.GetByRole(AriaRole.Button, new() { Name = "Copy Your new API key" }).ClickAsync();
        await Expect(dialog.GetByTestId("secret-copied")).ToHaveTextAsync("Copied.");
        Assert.Equal(key, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();

        // Shown once: afterwards only the prefix, here and after a reload.
        var row = page.GetByTestId("key-row");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.GetByTestId("key-prefix")).ToHaveTextAsync(key[..20] + "…");
        await page.ReloadAsync();
        await ui.SettledAsync();
        Assert.DoesNotContain(key, await page.ContentAsync());

        // The key works from a program: a generation submitted with it is one API call.
        using var program = new HttpClient { BaseAddress = browser.Server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        program.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var submitted = await program.PostAsJsonAsync("/api/v1/generations", TestUser.Request(prompt: "a lighthouse from a script"));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        Assert.Equal("49", submitted.Headers.GetValues("RateLimit-Remaining").Single());

        await page.ReloadAsync();
        await ui.SettledAsync();
        await Expect(page.GetByTestId("api-usage-summary")).ToContainTextAsync("Used 1 of 50 this month");
        await Expect(page.Locator(".api-usage svg rect.bar")).ToHaveCountAsync(1);
        await Expect(row.GetByTestId("key-last-used")).ToContainTextAsync("127.0.0.1");
        await ui.ScreenshotAsync("developer-key-used");

        // Revoked: refused from the next request on.
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke key Render farm" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();
        await Expect(row).ToHaveAttributeAsync("data-state", "revoked");
        var refused = await program.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("invalid_api_key", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        ui.AssertNoErrors();
    }

    [Fact]
    public async Task A_webhook_endpoint_gets_a_signed_test_event_shown_as_delivered_and_redelivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var ui = await browser.OpenAsync(Viewport.Desktop);
        var page = ui.Page;
        using var session = await ui.SignUpOnPlanAsync("starter");

        await ui.GoAsync("/developer/webhooks");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add endpoint", Exact = true }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.Locator("#webhook-url").FillAsync(receiver.Url.ToString());
        await dialog.Locator("form button[type=submit]").ClickAsync();
        var shown = dialog.GetByTestId("secret-value");
        await Expect(shown).ToHaveValueAsync(new Regex("^whsec_[A-Za-z0-9+/]{43}=$"));
        var secret = await shown.InputValueAsync();
        await dialog.GetByRole(AriaRole.Link, new() { Name = "Open the endpoint" }).ClickAsync();
        await ui.SettledAsync();
        await Expect(page.Locator("main h1")).ToHaveTextAsync(receiver.Url.ToString());
        Assert.DoesNotContain(secret, await page.ContentAsync());

        await page.GetByRole(AriaRole.Button, new() { Name = "Send test event" }).ClickAsync();
        await Expect(page.GetByTestId("test-sent")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("delivery-row")).ToHaveCountAsync(1);
        // By its id: the redelivery below adds a row above it.
        var deliveryId = await page.GetByTestId("delivery-row").GetAttributeAsync("data-id");
        var delivery = page.Locator($"[data-testid=delivery-row][data-id='{deliveryId}']");
        await Expect(delivery).ToHaveAttributeAsync("data-status", "delivered", new() { Timeout = 30_000 });
        await Expect(delivery.GetByTestId("delivery-code")).ToHaveTextAsync("HTTP 200");
        await delivery.Locator("summary").ClickAsync();
        await Expect(delivery.GetByTestId("attempt")).ToHaveCountAsync(1);

        // Signed as Standard Webhooks says, checked here without the server's code.
        var first = Assert.Single(receiver.Received);
        Assert.Equal("webhook.test", JsonDocument.Parse(first.Body).RootElement.GetProperty("type").GetString());
        Assert.True(WebhookReceiver.SignedBy(first, secret), "The test event's signature does not verify with the secret shown.");
        await ui.ScreenshotAsync("developer-webhook-delivered");

        // Redeliver: the same message (same webhook-id) again, as a new delivery in the log.
        await delivery.GetByRole(AriaRole.Button, new() { Name = "Redeliver webhook.test" }).ClickAsync();
        await Expect(delivery.GetByRole(AriaRole.Status)).ToHaveTextAsync("Sent again.");
        await Eventually.UntilAsync(() => Task.FromResult(receiver.Received.Count == 2), TimeSpan.FromSeconds(30), "The redelivery did not arrive.");
        var second = receiver.Received.Last();
        Assert.Equal(first.Headers["webhook-id"], second.Headers["webhook-id"]);
        Assert.True(WebhookReceiver.SignedBy(second, secret));
        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
        await Expect(page.GetByTestId("delivery-row")).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("delivery-row").First).ToHaveAttributeAsync("data-status", "delivered", new() { Timeout = 30_000 });
        ui.AssertNoErrors();
    }

    public static TheoryData<string, string> Tours => new() { { "en", "desktop" }, { "en", "phone" }, { "ko", "desktop" }, { "ko", "phone" } };

    [Theory]
    [MemberData(nameof(Tours))]
    public async Task Every_developer_page_reads_well_at_this_width_in_this_language(string language, string width)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var ui = await browser.OpenAsync(width == "phone" ? Viewport.Phone : Viewport.Desktop, language);
        using var session = await ui.SignUpOnPlanAsync("starter");
        var created = await session.PostAsJsonAsync("/api/v1/keys", new { name = "Render farm", scopes = new[] { "generate", "read" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        using var program = new HttpClient { BaseAddress = browser.Server.BaseAddress };
        program.DefaultRequestHeaders.Add("X-API-Key", key);
        (await program.PostAsJsonAsync("/api/v1/generations", TestUser.Request())).EnsureSuccessStatusCode();
        var endpoint = await session.PostAsJsonAsync("/api/v1/webhook-endpoints", new { url = receiver.Url.ToString(), events = new[] { "generation.succeeded", "generation.failed" } });
        Assert.Equal(HttpStatusCode.Created, endpoint.StatusCode);
        var endpointId = (await endpoint.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        (await session.PostAsync($"/api/v1/webhook-endpoints/{endpointId}/test", null)).EnsureSuccessStatusCode();

        // Ids, scopes, event types and codes are values a Korean page shows as they are.
        string[] typed = ["Render farm", "Min-jun Kim", key[..20], receiver.Url.ToString(), "generate", "read", "gallery:write", "webhooks",
            "generation.queued", "generation.started", "generation.succeeded", "generation.failed", "generation.cancelled", "credits.low", "webhook.test", "HTTP", "POST", "/generations"];
        var catalog = (await browser.Server.RegisterAsync()).Client;
        var faults = new List<string>();
        faults.AddRange(await PageChecks.VisitAsync(ui, "developer-keys", "/developer/keys", catalog, typed));
        await ui.Page.GetByRole(AriaRole.Button, new() { Name = language == "ko" ? "키 만들기" : "Create key", Exact = true }).ClickAsync();
        faults.AddRange(await PageChecks.CheckAsync(ui, "developer-key-dialog", catalog, typed));
        await ui.Page.Keyboard.PressAsync("Escape");
        faults.AddRange(await PageChecks.VisitAsync(ui, "developer-webhooks", "/developer/webhooks", catalog, typed));
        await ui.GoAsync($"/developer/webhooks/{endpointId}");
        // The test event (and the generation's, when it finished after the endpoint was added) delivered.
        var delivered = ui.Page.Locator("[data-testid=delivery-row][data-status=delivered]");
        await Expect(delivered.First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(ui.Page.Locator("[data-testid=delivery-row][data-status=pending]")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await delivered.First.Locator("summary").ClickAsync();
        faults.AddRange(await PageChecks.CheckAsync(ui, "developer-webhook", catalog, typed));
        await ui.GoAsync("/account");
        await ui.Page.GetByTestId("notifications").ScrollIntoViewIfNeededAsync();
        await ui.Page.Locator("#notify-batch-on").CheckAsync();
        faults.AddRange(await PageChecks.CheckAsync(ui, "account-notifications", catalog, typed));

        Assert.True(faults.Count == 0, string.Join("\n", faults));
        ui.AssertNoErrors();
    }

    [Fact]
    public async Task The_free_plan_sees_the_upsell_and_can_save_its_completion_emails()
    {
        await using var ui = await browser.OpenAsync(Viewport.Phone);
        await ui.SignUpAsync();
        await ui.GoAsync("/developer/keys");
        await Expect(ui.Page.GetByTestId("feature-lock")).ToContainTextAsync("API access comes with the Starter plan and above.");
        await Expect(ui.Page.GetByRole(AriaRole.Button, new() { Name = "Create key", Exact = true })).ToHaveCountAsync(0);
        await ui.ScreenshotAsync("developer-keys-free");

        await ui.GoAsync("/account");
        var section = ui.Page.GetByTestId("notifications");
        await section.Locator("#notify-batch-on").CheckAsync();
        await section.Locator("#notify-batch-min").FillAsync("4");
        await section.Locator("#notify-failed").CheckAsync();
        await section.GetByRole(AriaRole.Button, new() { Name = "Save notices" }).ClickAsync();
        await Expect(section.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved.");
        using var api = await ui.ApiAsync();
        var saved = await api.GetFromJsonAsync<JsonElement>("/api/v1/me/notifications");
        Assert.Equal(4, saved.GetProperty("batchFinishedMin").GetInt32());
        Assert.True(saved.GetProperty("jobFailed").GetBoolean());
        ui.AssertNoErrors();
    }

    [GeneratedRegex("^pv_live_[A-Za-z0-9]{44}$")]
    private static partial Regex ApiKeyFormat();
}

/// <summary>The shared browser set-up with a server that may send webhooks to loopback (the test's receiver).</summary>
public sealed class DeveloperBrowserFixture : BrowserFixture
{
    protected override async Task StartServersAsync()
    {
        var settings = new TestSettings { StepDelayMs = 20 }.With("Webhooks:AllowPrivateTargets", "true");
        Server = await PingvasServer.StartAsync(settings);
    }
}

[CollectionDefinition(Name)]
public sealed class DeveloperBrowserCollection : ICollectionFixture<DeveloperBrowserFixture>
{
    public const string Name = "developer-browser";
}

/// <summary>A customer's server on loopback (Kestrel on a free port): records every webhook and answers 200.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;

    private WebhookReceiver(WebApplication app) => this.app = app;

    public sealed record Request(Dictionary<string, string> Headers, string Body);

    public ConcurrentQueue<Request> Received { get; } = new();

    public Uri Url { get; private set; } = null!;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            receiver.Received.Enqueue(new Request(headers, body));
            return Results.Ok();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(new Uri(address), "/hook");
        return receiver;
    }

    /// <summary>Standard Webhooks: v1 = base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" keyed by the secret's base64-decoded bytes.</summary>
    public static bool SignedBy(Request request, string secret)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = $"{request.Headers["webhook-id"]}.{request.Headers["webhook-timestamp"]}.{request.Body}";
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(signed)));
        return request.Headers["webhook-signature"].Split(' ').Contains(expected);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
