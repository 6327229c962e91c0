using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.Playwright;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.E2E.Tests.Browser;

/// <summary>
/// One browser tab of one user: the Playwright page, the steps every flow shares (sign up, sign in,
/// go to a page and wait for it), and the JavaScript errors it raised, which fail the test.
/// </summary>
public sealed class UiPage : IAsyncDisposable
{
    private readonly List<string> errors;
    private readonly IBrowserContext context;

    private UiPage(BrowserFixture fixture, IBrowserContext context, IPage page, Viewport viewport, string language, List<string> errors)
    {
        Fixture = fixture;
        this.context = context;
        Page = page;
        Viewport = viewport;
        Language = language;
        this.errors = errors;
    }

    public BrowserFixture Fixture { get; }

    public IPage Page { get; }

    public Viewport Viewport { get; }

    public string Language { get; }

    public static async Task<UiPage> OpenAsync(BrowserFixture fixture, IBrowserContext context, Viewport viewport, string language)
    {
        var page = await context.NewPageAsync();
        // No language is set in the app: it must start from the browser's (the context's locale).
        var ui = new UiPage(fixture, context, page, viewport, language, []);
        page.PageError += (_, error) => ui.errors.Add(error);
        return ui;
    }

    /// <summary>Opens a page by its address and waits until it has drawn its heading and settled its data.</summary>
    public async Task GoAsync(string path)
    {
        await Page.GotoAsync(path);
        await SettledAsync();
    }

    /// <summary>The page's first heading is up and no request is in flight (the hub's websocket is not one).</summary>
    public async Task SettledAsync()
    {
        await Page.Locator("main h1").First.WaitForAsync();
        await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    public async Task<string> SignUpAsync(string? email = null, string password = "correct horse battery")
    {
        email ??= $"e2e-{Guid.NewGuid():N}@example.com";
        await GoAsync("/signup");
        var form = Page.Locator("main form");
        await form.Locator("#name").FillAsync("Min-jun Kim");
        await form.Locator("#email").FillAsync(email);
        await form.Locator("#password").FillAsync(password);
        await form.Locator("button[type=submit]").ClickAsync();
        await Page.WaitForURLAsync("**/generate");
        await SettledAsync();
        return email;
    }

    /// <summary>A new user moved to <paramref name="plan"/> (billing will do that through its API); the session's API client.</summary>
    public async Task<HttpClient> SignUpOnPlanAsync(string plan)
    {
        await SignUpAsync();
        var api = await ApiAsync();
        var me = (await api.GetFromJsonAsync<MeBody>("/api/v1/me", Json.Options))!;
        await Fixture.Server.SetPlanAsync(me.Id, plan);
        return api;
    }

    public async Task SignInAsync(string email, string password)
    {
        await GoAsync("/signin");
        var form = Page.Locator("main form");
        await form.Locator("#email").FillAsync(email);
        await form.Locator("#password").FillAsync(password);
        await form.Locator("button[type=submit]").ClickAsync();
    }

    /// <summary>The signed-in session's access token, as the app stored it: for checking what the page shows against the API.</summary>
    public async Task<HttpClient> ApiAsync()
    {
        var session = await Page.EvaluateAsync<string>("() => localStorage.getItem('pingvas.session')");
        var token = JsonDocument.Parse(session).RootElement.GetProperty("accessToken").GetString();
        return Fixture.Server.CreateClient(token);
    }

    /// <summary>The same tab after the test resized it or switched its language (names its screenshots accordingly; dispose the original).</summary>
    public UiPage As(Viewport viewport, string language) => new(Fixture, context, Page, viewport, language, errors);

    public Task ScreenshotAsync(string name) => Screenshots.SaveAsync(Page, $"{name}-{Language}-{Viewport.Name}");

    /// <summary>The page raised no JavaScript error (an uncaught exception or a rejected promise).</summary>
    public void AssertNoErrors() => Assert.True(errors.Count == 0, "The page raised errors:\n" + string.Join("\n", errors));

    public async ValueTask DisposeAsync() => await context.CloseAsync();
}
