using Microsoft.Playwright;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.E2E.Tests.Browser;

/// <summary>
/// One headless Debian Chromium and one real server (built web app at /, SQLite, procedural engine
/// pacing its steps so progress can be watched) for every browser test: starting either costs seconds.
/// Each test opens its own browser context (its own storage: its own signed-in user).
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    public const string AdminEmail = "admin@pingvas.test";
    public const string AdminPassword = "admin-password-for-e2e";

    /// <summary>Debian's chromium (STACK.md); <c>PINGVAS_CHROMIUM</c> points elsewhere.</summary>
    private static readonly string ChromiumPath = Environment.GetEnvironmentVariable("PINGVAS_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public PingvasServer Server { get; protected set; } = null!;

    /// <summary>Local OAuth servers answering as Google (with its consent page) and Discord: the sign-in page offers both.</summary>
    public LocalOAuthProvider Google { get; private set; } = null!;

    public LocalOAuthProvider Discord { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await StartServersAsync();
        await LaunchBrowserAsync();
    }

    /// <summary>Starts <see cref="Server"/> and what it talks to; a fixture for other settings (billing, email) starts its own.</summary>
    protected virtual async Task StartServersAsync()
    {
        // The providers first: the server reads their addresses; then they learn the server's callback.
        Google = await LocalOAuthProvider.StartAsync("google");
        Google.AutoApprove = false;
        Discord = await LocalOAuthProvider.StartAsync("discord");
        // 60 ms a step: a 20-step job runs for over a second, long enough to see it move and to reload under it.
        var settings = new TestSettings { StepDelayMs = 60 }
            .With("Bootstrap:AdminEmail", AdminEmail)
            .With("Bootstrap:AdminPassword", AdminPassword)
            .With(Google.Settings())
            .With(Discord.Settings());
        Server = await PingvasServer.StartAsync(settings);
        Google.AllowRedirectsTo(Server.BaseAddress);
        Discord.AllowRedirectsTo(Server.BaseAddress);
    }

    private async Task LaunchBrowserAsync()
    {
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A fresh browser (storage, cookies) at a viewport and language, with its errors collected.</summary>
    public async Task<UiPage> OpenAsync(Viewport viewport, string language = "en")
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = Server.BaseAddress.ToString(),
            ViewportSize = new() { Width = viewport.Width, Height = viewport.Height },
            IsMobile = viewport.IsPhone,
            HasTouch = viewport.IsPhone,
            Locale = language == "ko" ? "ko-KR" : "en-US",
        });
        context.SetDefaultTimeout(20_000);
        return await UiPage.OpenAsync(this, context, viewport, language);
    }

    public virtual async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        playwright?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (Google is not null)
        {
            await Google.DisposeAsync();
        }

        if (Discord is not null)
        {
            await Discord.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    // One collection: the tests share the browser and the server and run one after another (2-core CI).
    public const string Name = "browser";
}

/// <summary>The two widths every page is judged at: a laptop and the narrowest phone we support.</summary>
public sealed record Viewport(string Name, int Width, int Height, bool IsPhone)
{
    public static readonly Viewport Desktop = new("desktop", 1280, 800, false);
    public static readonly Viewport Phone = new("phone", 360, 740, true);
}
