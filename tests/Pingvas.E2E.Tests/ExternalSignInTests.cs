using System.Net.Http.Json;

using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;
using Pingvas.Server.Tests.Infrastructure;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

/// <summary>
/// Sign-in with Google in the browser, against the local OAuth server's own consent page: the
/// button on the sign-in page, Allow at the provider, back in the app signed in on the page the
/// visitor was headed for; Deny comes back explained. Korean and English, desktop and phone.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ExternalSignInTests(BrowserFixture browser)
{
    public static TheoryData<string, string, string> Buttons() => new()
    {
        { "en", "Sign in with Google", "Sign in with Discord" },
        { "ko", "Google로 로그인", "Discord로 로그인" },
    };

    public static TheoryData<string, string, string> Denials() => new()
    {
        { "en", "Sign in with Google", "The sign-in was cancelled at the provider." },
        { "ko", "Google로 로그인", "제공자 화면에서 로그인을 취소했습니다." },
    };

    [Theory]
    [MemberData(nameof(Buttons))]
    public async Task Sign_in_with_Google_lands_signed_in_on_the_page_asked_for(string language, string google, string discord)
    {
        foreach (var viewport in new[] { Viewport.Desktop, Viewport.Phone })
        {
            // A Korean name: the shared server's admin pages list this account in the Korean tour too.
            var person = LocalOAuthProvider.Identity.Random() with { Name = "박서연" };
            browser.Google.User = person;
            await using var ui = await browser.OpenAsync(viewport, language);
            var page = ui.Page;

            // A signed-out visit to the gallery asks for sign-in first.
            await page.GotoAsync("/gallery");
            // The first page a fresh server serves can be slow on a busy 2-core machine.
            await page.WaitForURLAsync("**/signin?next=%2Fgallery", new() { Timeout = 60_000 });

            await ui.SettledAsync();
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = discord })).ToBeVisibleAsync();
            await ui.ScreenshotAsync("signin-providers");

            await page.GetByRole(AriaRole.Link, new() { Name = google }).ClickAsync();
            await page.WaitForURLAsync($"{browser.Google.BaseAddress}**");
            await Expect(page.Locator("#identity")).ToContainTextAsync(person.Email);
            await ui.ScreenshotAsync("google-consent");
            await page.GetByRole(AriaRole.Button, new() { Name = "Allow" }).ClickAsync();

            await page.WaitForURLAsync("**/gallery");
            await ui.SettledAsync();
            await Expect(page.Locator("main h1")).ToBeVisibleAsync();
            await ui.ScreenshotAsync("google-signed-in");
            var me = (await (await ui.ApiAsync()).GetFromJsonAsync<MeBody>("/api/v1/me", Json.Options))!;
            Assert.Equal(person.Email, me.Email);
            Assert.Equal("박서연", me.Name);
            Assert.True(me.Credits.Balance > 0);
            // The one-time code left no trace in the address bar or history.
            Assert.DoesNotContain("code=", page.Url);

            // No password yet: the account page offers a link to set one instead of asking for it.
            await ui.GoAsync("/account");
            var setLink = page.GetByRole(AriaRole.Button, new() { Name = language == "ko" ? "링크 받기" : "Email me a link" });
            await setLink.ScrollIntoViewIfNeededAsync();
            await Expect(setLink).ToBeVisibleAsync();
            await Expect(page.Locator("#current-password")).ToHaveCountAsync(0);
            await ui.ScreenshotAsync("google-account-no-password");
            // The provider's long address wraps inside its panel instead of widening the page.
            var overflow = await page.EvaluateAsync<int>("w => document.documentElement.scrollWidth - w", ui.Viewport.Width);
            Assert.True(overflow <= 0, $"/account scrolls sideways by {overflow} px at {ui.Viewport.Name} width.");
            ui.AssertNoErrors();
        }
    }

    [Theory]
    [MemberData(nameof(Denials))]
    public async Task Deny_at_the_provider_comes_back_explained(string language, string google, string denied)
    {
        browser.Google.User = LocalOAuthProvider.Identity.Random() with { Name = "박서연" };
        await using var ui = await browser.OpenAsync(Viewport.Phone, language);
        var page = ui.Page;
        await ui.GoAsync("/signup");
        await page.GetByRole(AriaRole.Link, new() { Name = google }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Deny" }).ClickAsync();

        await page.WaitForURLAsync("**/signin/external?error=access_denied");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(denied);
        await ui.ScreenshotAsync("google-denied");
        Assert.Null(await page.EvaluateAsync<string?>("() => localStorage.getItem('pingvas.session')"));
        ui.AssertNoErrors();
    }
}
