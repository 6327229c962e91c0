using System.Net;
using System.Net.Http.Json;

using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;
using Pingvas.Server.Tests.Infrastructure;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

public sealed record E2EBillingBody(string? Provider, E2EBillingPlan Plan, E2ESubscription? Subscription, List<E2EPayment> Payments);

public sealed record E2EBillingPlan(string Id, string Name);

public sealed record E2ESubscription(string Status, string PlanId, string Interval, DateTime? RenewsAt, DateTime? EndsAt, bool CancelAtPeriodEnd);

public sealed record E2EPayment(DateTime At, string Kind, string Description, int Amount, string Currency, string Status);

/// <summary>
/// Buying in the browser through the local Lemon Squeezy: pricing → Choose Starter → its hosted
/// checkout → Pay (signed webhooks) → the return page shows the plan once the webhook landed →
/// billing shows it active with its renewal and payment; a top-up pack the same way; cancel at the
/// period end behind its dialog, then resume. Balances checked on the page and through the API.
/// </summary>
[Collection(BillingBrowserCollection.Name)]
public sealed class BillingFlowTests(BillingBrowserFixture browser)
{
    private const string Password = "correct horse battery";

    public static TheoryData<string, string> Runs() => new() { { "en", "desktop" }, { "ko", "phone" } };

    [Theory]
    [MemberData(nameof(Runs))]
    public async Task A_Free_user_subscribes_tops_up_cancels_and_resumes_in_the_browser(string language, string width)
    {
        await using var ui = await browser.OpenAsync(width == "phone" ? Viewport.Phone : Viewport.Desktop, language);
        var page = ui.Page;
        var email = await ui.SignUpAsync(password: Password);
        await VerifyByMailAsync(email);
        using var api = await ui.ApiAsync();
        var plans = (await api.GetFromJsonAsync<List<PlanBody>>("/api/v1/plans", Json.Options))!;
        var starter = plans.Single(p => p.Id == "starter");
        var free = await MeAsync(api);
        Assert.Equal("free", free.Plan.Id);
        Assert.True(free.Credits.Balance > 0, "The verified Free user has the Free credits.");

        // Pricing: Choose Starter monthly → the provider's hosted checkout.
        await ui.GoAsync("/pricing");
        var choose = page.Locator("[data-testid='plan-choose'][data-plan='starter'][data-interval='monthly']");
        await Expect(choose).ToBeVisibleAsync();
        await BillingPages.AssertNoSidewaysScrollAsync(ui, "pricing");
        await BillingPages.ScreenshotBothWidthsAsync(ui, "billing-pricing");
        await AssertKoreanAsync(ui, api);
        await choose.ClickAsync();
        await page.WaitForURLAsync($"{browser.LemonSqueezy.BaseUrl}checkout/custom/**");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Starter – Monthly");
        await Expect(page.Locator(".email")).ToHaveTextAsync(email);

        // Pay: the fake sends order_created, subscription_created, subscription_payment_success, then 302s back.
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay" }).ClickAsync();
        await page.WaitForURLAsync("**/billing/return**");
        var landed = page.GetByTestId("billing-return");
        await Expect(landed).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 30_000 });
        await Expect(landed).ToContainTextAsync("Starter");
        var subscribed = await MeAsync(api);
        Assert.Equal("starter", subscribed.Plan.Id);
        Assert.Equal(starter.MonthlyCredits, subscribed.Credits.Balance);
        await Expect(landed.Locator("dl")).ToContainTextAsync(BillingPages.Credits(language, subscribed.Credits.Balance));
        await BillingPages.AssertNoSidewaysScrollAsync(ui, "billing-return");
        await BillingPages.ScreenshotBothWidthsAsync(ui, "billing-return");

        // Billing: active, renews on a date, the subscription's payment.
        await ui.GoAsync("/billing");
        var status = page.GetByTestId("billing-status");
        await Expect(status).ToHaveAttributeAsync("data-status", "active");
        await Expect(status).ToContainTextAsync(language == "ko" ? "갱신일" : "Renews on");
        var billing = await BillingAsync(api);
        Assert.Equal(("active", "starter", "monthly", false), (billing.Subscription!.Status, billing.Subscription.PlanId, billing.Subscription.Interval, billing.Subscription.CancelAtPeriodEnd));
        Assert.NotNull(billing.Subscription.RenewsAt);
        var payment = Assert.Single(billing.Payments);
        Assert.Equal(("subscription", "paid", 2500), (payment.Kind, payment.Status, payment.Amount));
        await Expect(page.Locator("[data-testid='payment-row'][data-kind='subscription'][data-status='paid']")).ToHaveCountAsync(1);
        await Expect(page.Locator("header .balance")).ToHaveTextAsync(BillingPages.Credits(language, subscribed.Credits.Balance));

        // A top-up pack: its checkout, Pay, back on the return page with the balance up by the pack.
        await page.Locator("[data-testid='topup-button'][data-credits='1000']").ClickAsync();
        await page.WaitForURLAsync($"{browser.LemonSqueezy.BaseUrl}checkout/custom/**");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Credits – 1,000 credits");
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay" }).ClickAsync();
        await page.WaitForURLAsync("**/billing/return**");
        await Expect(landed).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 30_000 });
        var toppedUp = await MeAsync(api);
        Assert.Equal(subscribed.Credits.Balance + 1000, toppedUp.Credits.Balance);
        await Expect(landed.Locator("dl")).ToContainTextAsync(BillingPages.Credits(language, toppedUp.Credits.Balance));
        await ui.GoAsync("/billing");
        await Expect(page.Locator("[data-testid='payment-row'][data-kind='topup'][data-status='paid']")).ToHaveCountAsync(1);
        await Expect(page.Locator("header .balance")).ToHaveTextAsync(BillingPages.Credits(language, toppedUp.Credits.Balance));

        // Cancel at the period end: asked first; the provider's webhook makes it "cancels on <date>".
        await page.GetByRole(AriaRole.Button, new() { Name = language == "ko" ? "기간 종료 시 해지" : "Cancel at period end" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToBeVisibleAsync();
        await BillingPages.ScreenshotBothWidthsAsync(ui, "billing-cancel-dialog");
        await dialog.GetByRole(AriaRole.Button, new() { Name = language == "ko" ? "구독 해지" : "Cancel subscription" }).ClickAsync();
        await Expect(status).ToHaveAttributeAsync("data-status", "cancelled", new() { Timeout = 30_000 });
        billing = await BillingAsync(api);
        // Lemon Squeezy calls it "cancelled" until ends_at (the end of the paid period).
        Assert.Equal(("cancelled", true), (billing.Subscription!.Status, billing.Subscription.CancelAtPeriodEnd));
        Assert.NotNull(billing.Subscription.EndsAt);
        await Expect(status).ToContainTextAsync(language == "ko" ? "해지" : "Cancels on");
        // Cancelling keeps the plan and its credits until the period ends.
        Assert.Equal(("starter", toppedUp.Credits.Balance), ((await MeAsync(api)).Plan.Id, (await MeAsync(api)).Credits.Balance));
        await BillingPages.AssertNoSidewaysScrollAsync(ui, "billing");
        await BillingPages.ScreenshotBothWidthsAsync(ui, "billing-cancelled");
        await AssertKoreanAsync(ui, api);

        // Resume: active again, renewing.
        await page.GetByRole(AriaRole.Button, new() { Name = language == "ko" ? "구독 재개" : "Resume subscription" }).ClickAsync();
        await Expect(status).ToHaveAttributeAsync("data-status", "active", new() { Timeout = 30_000 });
        await Expect(status).ToContainTextAsync(language == "ko" ? "갱신일" : "Renews on");
        billing = await BillingAsync(api);
        Assert.False(billing.Subscription!.CancelAtPeriodEnd);
        Assert.Equal("active", billing.Subscription.Status);
        await BillingPages.ScreenshotBothWidthsAsync(ui, "billing");
        ui.AssertNoErrors();
    }

    /// <summary>Follows the welcome mail's link through the API: the billing flow starts from a verified Free account.</summary>
    private async Task VerifyByMailAsync(string email)
    {
        var welcome = (await browser.Smtp.WaitForAsync(email)).Single();
        using var anonymous = browser.Server.CreateClient();
        var verified = await anonymous.PostAsJsonAsync("/api/v1/auth/verify-email", new { token = welcome.TokenFor("/verify-email") });
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
    }

    private static async Task AssertKoreanAsync(UiPage ui, HttpClient api)
    {
        if (ui.Language == "ko")
        {
            var english = await KoreanText.EnglishLeftAsync(ui.Page, api, "Min-jun Kim");
            Assert.True(english.Count == 0, $"{ui.Page.Url} in Korean still shows: {string.Join(", ", english)}");
        }
    }

    private static async Task<MeBody> MeAsync(HttpClient api) => (await api.GetFromJsonAsync<MeBody>("/api/v1/me", Json.Options))!;

    private static async Task<E2EBillingBody> BillingAsync(HttpClient api) => (await api.GetFromJsonAsync<E2EBillingBody>("/api/v1/billing", Json.Options))!;
}
