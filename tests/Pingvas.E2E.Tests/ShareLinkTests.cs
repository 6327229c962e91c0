using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;
using Pingvas.Server.Tests.Infrastructure;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

/// <summary>
/// Share links in the browser: the owner makes a password-protected link from the image page; a
/// fresh browser (no session) opens it, is refused a wrong password and sees the image with the
/// right one, on a page without the app's header; the owner revokes it on the Shared links page
/// and the visitor's page then says it is gone. Desktop and phone, English and Korean.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ShareLinkTests(BrowserFixture browser)
{
    private const string Password = "harbour lights";

    private sealed record Texts(string Share, string Create, string Locked, string Wrong, string Gone, string Views, string Revoked);

    private static readonly Dictionary<string, Texts> Words = new()
    {
        ["en"] = new("Share", "Create link", "This link is protected by a password", "Wrong password.", "This link does not exist or has expired", "1 of 5 views", "Revoked"),
        ["ko"] = new("공유", "링크 만들기", "비밀번호로 보호된 링크입니다", "비밀번호가 틀렸습니다.", "없거나 만료된 링크입니다", "조회 1/5회", "해지됨"),
    };

    [Theory]
    [InlineData("desktop", "en")]
    [InlineData("phone", "ko")]
    [InlineData("desktop", "ko")]
    [InlineData("phone", "en")]
    public async Task A_password_link_opens_in_a_fresh_browser_and_is_gone_once_revoked(string viewportName, string language)
    {
        var viewport = viewportName == "phone" ? Viewport.Phone : Viewport.Desktop;
        var words = Words[language];
        await using var owner = await browser.OpenAsync(viewport, language);
        var page = owner.Page;
        await owner.SignUpAsync();
        using var api = await owner.ApiAsync();
        var image = await ApiImages.GenerateAsync(api, side: 256);

        // The owner makes the link from the image page.
        await owner.GoAsync($"/gallery/{image.Id}");
        await page.GetByRole(AriaRole.Button, new() { Name = words.Share, Exact = true }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToBeVisibleAsync();
        await dialog.Locator("#share-password").FillAsync(Password);
        await dialog.Locator("#share-expiry").SelectOptionAsync("week");
        await dialog.Locator("#share-max-views").FillAsync("5");
        await dialog.GetByRole(AriaRole.Button, new() { Name = words.Create }).ClickAsync();
        var url = dialog.Locator("#share-new-url");
        await Expect(url).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("/s/[A-Za-z0-9_-]{22}$"));
        await Expect(dialog.GetByTestId("share-row")).ToHaveCountAsync(1);
        await owner.ScreenshotAsync("share-dialog");
        var path = new Uri(await url.InputValueAsync()).AbsolutePath;
        await page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToBeHiddenAsync();

        // A fresh browser: no session, no cookies.
        await using var visitor = await browser.OpenAsync(viewport, language);
        var opened = await visitor.Page.GotoAsync(path);
        Assert.Equal("no-referrer", opened!.Headers["referrer-policy"]);
        Assert.Equal("noindex, nofollow", opened.Headers["x-robots-tag"]);
        await visitor.SettledAsync();
        await Expect(visitor.Page.GetByRole(AriaRole.Heading, new() { Name = words.Locked })).ToBeVisibleAsync();
        await Expect(visitor.Page.Locator("header.site-header")).ToHaveCountAsync(0);
        await visitor.Page.Locator("#shared-password").FillAsync("not the password");
        await visitor.Page.Locator("main form button[type=submit]").ClickAsync();
        await Expect(visitor.Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(words.Wrong);
        await visitor.ScreenshotAsync("share-locked");

        await visitor.Page.Locator("#shared-password").FillAsync(Password);
        await visitor.Page.Locator("main form button[type=submit]").ClickAsync();
        var shown = visitor.Page.GetByTestId("shared-image").Locator("img");
        await Expect(shown).ToBeVisibleAsync();
        await Eventually.UntilAsync(async () => await shown.EvaluateAsync<int>("img => img.complete ? img.naturalWidth : 0") == 256,
            TimeSpan.FromSeconds(20), "The shared image did not load.");
        // Nothing of the owner on the page: no prompt, no account.
        await Expect(visitor.Page.Locator("body")).Not.ToContainTextAsync("lighthouse");
        await Expect(visitor.Page.Locator("body")).Not.ToContainTextAsync("Min-jun");
        await visitor.Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await visitor.ScreenshotAsync("share-image");

        // The owner sees the view on the Shared links page and revokes the link there.
        await owner.GoAsync("/generate");
        await page.Locator("header summary").ClickAsync();
        await page.Locator("header").GetByRole(AriaRole.Link, new() { Name = language == "ko" ? "공유 링크" : "Shared links" }).ClickAsync();
        await owner.SettledAsync();
        var row = page.GetByTestId("share-row");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.GetByTestId("share-views")).ToHaveTextAsync(words.Views);
        await owner.ScreenshotAsync("shares");
        await row.Locator(".actions button.danger").ClickAsync();
        await row.Locator(".confirm button.danger").ClickAsync();
        await Expect(row).ToHaveAttributeAsync("data-status", "revoked");
        await Expect(row.Locator(".badge").First).ToHaveTextAsync(words.Revoked);

        // Revoked means gone at once, for the visitor who saw it too.
        await visitor.Page.ReloadAsync();
        await visitor.SettledAsync();
        await Expect(visitor.Page.GetByRole(AriaRole.Heading, new() { Name = words.Gone })).ToBeVisibleAsync();
        await visitor.ScreenshotAsync("share-gone");

        owner.AssertNoErrors();
        visitor.AssertNoErrors();
    }
}
