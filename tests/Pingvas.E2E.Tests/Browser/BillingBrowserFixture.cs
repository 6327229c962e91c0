using System.Text.RegularExpressions;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.E2E.Tests.Browser;

/// <summary>
/// The browser and a server of its own that sells through the local Lemon Squeezy (hosted checkout
/// with a Pay button, signed webhooks) and mails through the real SMTP test server. Email on changes
/// sign-up (no Free credits until the address is verified), so this is not the shared server.
/// App:PublicUrl is the server's own address: the checkout's return and the mails' links open in the browser.
/// </summary>
public sealed class BillingBrowserFixture : BrowserFixture
{
    public FakeLemonSqueezyApi LemonSqueezy { get; private set; } = null!;

    public SmtpServer Smtp { get; private set; } = null!;

    protected override async Task StartServersAsync()
    {
        LemonSqueezy = await FakeLemonSqueezyApi.StartAsync();
        Smtp = await SmtpServer.StartAsync();
        // The public address must be known before the server starts: a free port, taken as Urls too.
        var address = $"http://127.0.0.1:{SmtpServer.FreePort()}";
        var settings = LemonSqueezy.Settings(new TestSettings { StepDelayMs = 60 })
            .With(Smtp.AppSettings())
            .With("urls", address)
            .With("App:PublicUrl", address);
        Server = await PingvasServer.StartAsync(settings);
        LemonSqueezy.UseServer(Server);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (LemonSqueezy is not null)
        {
            await LemonSqueezy.DisposeAsync();
        }

        if (Smtp is not null)
        {
            await Smtp.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BillingBrowserCollection : ICollectionFixture<BillingBrowserFixture>
{
    public const string Name = "billing-browser";
}

/// <summary>What the billing and email browser tests share: both widths in one screenshot call, links out of mails.</summary>
public static partial class BillingPages
{
    /// <summary>A screenshot of the page at the tab's width and at the other one (then back); neither may scroll sideways.</summary>
    public static async Task ScreenshotBothWidthsAsync(UiPage ui, string name)
    {
        await ui.ScreenshotAsync(name);
        await AssertNoSidewaysScrollAsync(ui, name);
        var other = ui.As(ui.Viewport.IsPhone ? Viewport.Desktop : Viewport.Phone, ui.Language);
        await ui.Page.SetViewportSizeAsync(other.Viewport.Width, other.Viewport.Height);
        await other.ScreenshotAsync(name);
        await AssertNoSidewaysScrollAsync(other, name);
        await ui.Page.SetViewportSizeAsync(ui.Viewport.Width, ui.Viewport.Height);
    }

    /// <summary>No sideways scrolling at the tab's width (a phone zooms out to wide content, so innerWidth would follow it).</summary>
    public static async Task AssertNoSidewaysScrollAsync(UiPage ui, string name)
    {
        var overflow = await ui.Page.EvaluateAsync<int>("w => document.documentElement.scrollWidth - w", ui.Viewport.Width);
        Assert.True(overflow <= 0, $"{name} scrolls sideways by {overflow} px at {ui.Viewport.Name} width.");
    }

    /// <summary>The absolute link to <paramref name="path"/> (with its token) in a mail's text part.</summary>
    public static Uri LinkTo(ReceivedEmail mail, string path)
    {
        var match = Link().Matches(mail.Text).FirstOrDefault(m => new Uri(m.Value).AbsolutePath == path);
        Assert.True(match is not null, $"No {path} link in:\n{mail.Text}");
        return new Uri(match.Value);
    }

    /// <summary>A balance as the header shows it (formatCredits: "1,234 credits", "1,234크레딧").</summary>
    public static string Credits(string language, int credits) =>
        credits.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + (language == "ko" ? "크레딧" : credits == 1 ? " credit" : " credits");

    public static bool HasHangul(string text) => text.Any(c => c is >= '\uAC00' and <= '\uD7A3');

    [GeneratedRegex(@"https?://[^\s""<>]+")]
    private static partial Regex Link();
}
