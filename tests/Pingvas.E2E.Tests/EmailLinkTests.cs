using System.Net;
using System.Net.Http.Json;

using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;
using Pingvas.Server.Tests.Infrastructure;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

/// <summary>
/// The mails' links, end to end in the browser: the welcome mail (received by the real SMTP server)
/// verifies the address and brings the Free credits; forgot password → the reset mail → a new
/// password that signs in while the old one no longer does. In Korean and in English: the mail's
/// language follows the browser's, and so does every page on the way.
/// </summary>
[Collection(BillingBrowserCollection.Name)]
public sealed class EmailLinkTests(BillingBrowserFixture browser)
{
    private const string OldPassword = "correct horse battery";
    private const string NewPassword = "a brand new staple battery";

    public static TheoryData<string, string, string, string> Runs() => new()
    {
        { "en", "desktop", "Welcome to Pingvas Studio", "Reset your password" },
        { "ko", "phone", "Pingvas Studio에 오신 것을 환영해요", "비밀번호" },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public async Task The_welcome_link_verifies_and_grants_the_Free_credits_and_the_reset_link_changes_the_password(
        string language, string width, string welcomeSubject, string resetSubjectPart)
    {
        var viewport = width == "phone" ? Viewport.Phone : Viewport.Desktop;
        await using var ui = await browser.OpenAsync(viewport, language);
        var page = ui.Page;
        var email = await ui.SignUpAsync(password: OldPassword);
        using var api = await ui.ApiAsync();

        // Signed in, asked to verify, nothing to spend yet.
        await Expect(page.GetByTestId("verify-banner")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("verify-banner")).ToContainTextAsync(email);
        var before = await MeAsync(api);
        Assert.Equal((false, 0), (before.EmailVerified, before.Credits.Balance));
        await Expect(page.Locator("header .balance")).ToHaveTextAsync(BillingPages.Credits(language, 0));
        await BillingPages.ScreenshotBothWidthsAsync(ui, "verify-banner");
        await AssertKoreanAsync(ui, api, email);

        // The welcome mail, in the browser's language, links to the server (App:PublicUrl).
        var welcome = (await browser.Smtp.WaitForAsync(email)).Single();
        Assert.Equal(welcomeSubject, welcome.Subject);
        Assert.Contains($"<html lang=\"{language}\">", welcome.Html);
        Assert.Equal(language == "ko", BillingPages.HasHangul(welcome.Text));
        var verifyLink = BillingPages.LinkTo(welcome, "/verify-email");
        Assert.Equal(browser.Server.BaseAddress.Authority, verifyLink.Authority);

        await page.GotoAsync(verifyLink.AbsoluteUri);
        await ui.SettledAsync();
        var result = page.GetByTestId("verify-result");
        await Expect(result).ToHaveAttributeAsync("data-status", "verified");
        await Expect(result).ToContainTextAsync(email);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
        await BillingPages.AssertNoSidewaysScrollAsync(ui, "verify-email");
        await BillingPages.ScreenshotBothWidthsAsync(ui, "verify-email");
        await AssertKoreanAsync(ui, api, email);
        var after = await MeAsync(api);
        Assert.True(after.EmailVerified);
        Assert.True(after.Credits.Balance > 0, "Verifying grants the Free plan's credits.");
        Assert.Equal(after.Plan.MonthlyCredits, after.Credits.Balance);
        await ui.GoAsync("/generate");
        await Expect(page.GetByTestId("verify-banner")).ToHaveCountAsync(0);
        await Expect(page.Locator("header .balance")).ToHaveTextAsync(BillingPages.Credits(language, after.Credits.Balance));

        // Forgot password, from a browser that is signed out.
        await using var other = await browser.OpenAsync(viewport, language);
        var signedOut = other.Page;
        await other.GoAsync("/signin");
        await signedOut.GetByTestId("forgot-link").ClickAsync();
        await signedOut.WaitForURLAsync("**/forgot-password");
        await other.SettledAsync();
        await BillingPages.ScreenshotBothWidthsAsync(other, "forgot-password");
        await AssertKoreanAsync(other, api, email);
        var forgot = signedOut.GetByTestId("forgot-form");
        await forgot.Locator("#forgot-email").FillAsync(email);
        await forgot.Locator("button[type=submit]").ClickAsync();
        await Expect(signedOut.GetByTestId("forgot-sent")).ToContainTextAsync(email);
        await BillingPages.ScreenshotBothWidthsAsync(other, "forgot-sent");

        var reset = (await browser.Smtp.WaitForAsync(email, count: 2))[1];
        Assert.Contains(resetSubjectPart, reset.Subject);
        Assert.Equal(language == "ko", BillingPages.HasHangul(reset.Text));
        var resetLink = BillingPages.LinkTo(reset, "/reset-password");
        Assert.Equal(browser.Server.BaseAddress.Authority, resetLink.Authority);

        await signedOut.GotoAsync(resetLink.AbsoluteUri);
        await other.SettledAsync();
        var form = signedOut.GetByTestId("reset-form");
        await form.Locator("#reset-password").FillAsync(NewPassword);
        await form.Locator("#reset-password-again").FillAsync(NewPassword);
        await BillingPages.AssertNoSidewaysScrollAsync(other, "reset-password");
        await BillingPages.ScreenshotBothWidthsAsync(other, "reset-password");
        await AssertKoreanAsync(other, api, email);
        await form.Locator("button[type=submit]").ClickAsync();
        await Expect(signedOut.GetByTestId("reset-result")).ToHaveAttributeAsync("data-status", "done");
        await BillingPages.ScreenshotBothWidthsAsync(other, "reset-done");

        // The old password fails, the new one signs in.
        await other.SignInAsync(email, OldPassword);
        await Expect(signedOut.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        Assert.Contains("/signin", signedOut.Url);
        await other.SignInAsync(email, NewPassword);
        await signedOut.WaitForURLAsync("**/generate");
        using var anonymous = browser.Server.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email, password = OldPassword })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email, password = NewPassword })).StatusCode);
        ui.AssertNoErrors();
        other.AssertNoErrors();
    }

    private static async Task AssertKoreanAsync(UiPage ui, HttpClient api, string email)
    {
        if (ui.Language == "ko")
        {
            var english = await KoreanText.EnglishLeftAsync(ui.Page, api, "Min-jun Kim", email);
            Assert.True(english.Count == 0, $"{ui.Page.Url} in Korean still shows: {string.Join(", ", english)}");
        }
    }

    private static async Task<AccountMe> MeAsync(HttpClient api) => (await api.GetFromJsonAsync<AccountMe>("/api/v1/me", Json.Options))!;

    private sealed record AccountMe(string Email, bool EmailVerified, PlanBody Plan, CreditsBody Credits);
}
