using System.Globalization;

using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;
using Pingvas.Server.Accounts;
using Pingvas.Server.Tests.Infrastructure;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

/// <summary>
/// The operator's first day: the bootstrap admin is sent to set up two-step sign-in before any admin
/// page opens, gives a user credits, the user sees them; signing in again asks for the code (a
/// recovery code works once); every admin page at both widths in both languages.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminTests(BrowserFixture browser)
{
    private const string Reason = "Sorry for the slow queue yesterday";

    /// <summary>What the admin pages show as typed or reported (names, the reason, the worker's host and GPU class): not UI text.</summary>
    private static readonly string[] UserData = [Reason, "Min-jun Kim", "Test User", "Administrator", Environment.MachineName, "cpu"];

    [Fact]
    public async Task An_admin_enrols_totp_adjusts_a_users_credits_and_the_user_sees_them()
    {
        await using var user = await browser.OpenAsync(Viewport.Desktop);
        var email = await user.SignUpAsync();
        await user.GoAsync("/credits");
        var before = Credits(await user.Page.GetByTestId("balance").InnerTextAsync());

        await using var admin = await browser.OpenAsync(Viewport.Desktop);
        var page = admin.Page;
        await admin.SignInAsync(BrowserFixture.AdminEmail, BrowserFixture.AdminPassword);
        await page.WaitForURLAsync("**/generate");
        await page.Locator("header").GetByRole(AriaRole.Link, new() { Name = "Admin" }).ClickAsync();
        var gate = page.GetByRole(AriaRole.Alert);
        await Expect(gate).ToContainTextAsync("Admins must use two-step sign-in");
        await admin.ScreenshotAsync("admin-totp-required");

        // Enrolment: a QR code and the key to type; the code from the key turns it on.
        await gate.GetByRole(AriaRole.Link, new() { Name = "Set up two-step sign-in" }).ClickAsync();
        await page.WaitForURLAsync("**/account*");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set up two-step sign-in" }).ClickAsync();
        var qr = page.GetByAltText("QR code to add Pingvas Studio to an authenticator app");
        await Expect(qr).ToBeVisibleAsync();
        Assert.True(await qr.EvaluateAsync<int>("img => img.naturalWidth") > 100, "The QR code did not render.");
        var secret = (await page.GetByTestId("totp-secret").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal);
        await page.GetByLabel("The 6-digit code the app shows").FillAsync(CodeNow(secret));
        await admin.ScreenshotAsync("account-totp-setup");
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on two-step sign-in" }).ClickAsync();
        var recoveryCodes = page.GetByTestId("recovery-code");
        await Expect(recoveryCodes).ToHaveCountAsync(10);
        var codes = await recoveryCodes.AllInnerTextsAsync();
        Assert.Equal(10, codes.Distinct().Count());
        await admin.ScreenshotAsync("account-recovery-codes");
        await page.GetByRole(AriaRole.Button, new() { Name = "I saved them" }).ClickAsync();

        // The session the code made opens the admin pages: find the user, give credits with a reason.
        await admin.GoAsync("/admin/users");
        await page.GetByLabel("Search email or name").FillAsync(email);
        var row = page.GetByTestId("admin-user-row");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToHaveAttributeAsync("data-email", email);
        await row.GetByRole(AriaRole.Link, new() { Name = email }).ClickAsync();
        await page.GetByLabel("Amount").FillAsync("50");
        await page.GetByLabel("Reason").FillAsync(Reason);
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply adjustment" }).ClickAsync();
        await Expect(page.Locator("main")).ToContainTextAsync($"New balance: {before + 50:N0}");
        await Expect(page.GetByTestId("admin-balance")).ToContainTextAsync((before + 50).ToString("N0", CultureInfo.InvariantCulture));
        await admin.ScreenshotAsync("admin-user");

        await user.Page.ReloadAsync();
        await user.SettledAsync();
        await Expect(user.Page.GetByTestId("balance")).ToHaveTextAsync((before + 50).ToString("N0", CultureInfo.InvariantCulture));
        await Expect(user.Page.Locator("main")).ToContainTextAsync(Reason);

        // Signing in again asks for the code; a recovery code stands in for it, once.
        await page.Locator("header").GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await admin.SignInAsync(BrowserFixture.AdminEmail, BrowserFixture.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use a recovery code instead" }).ClickAsync();
        await page.GetByLabel("Recovery code").FillAsync(codes[0]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await page.WaitForURLAsync("**/generate");
        await admin.GoAsync("/admin/audit");
        await Expect(page.Locator("main")).ToContainTextAsync(Reason);
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);

        await TourAsync(admin);

        // Suspension takes the user's open page out at once: its live connection is closed, its token refused.
        await admin.Page.SetViewportSizeAsync(Viewport.Desktop.Width, Viewport.Desktop.Height);
        await admin.Page.Locator("header").GetByRole(AriaRole.Combobox).First.SelectOptionAsync("en");
        await admin.GoAsync("/admin/users");
        await page.GetByLabel("Search email or name").FillAsync(email);
        await page.GetByTestId("admin-user-row").GetByRole(AriaRole.Link, new() { Name = email }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Suspend" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Suspend" }).ClickAsync();
        await Expect(page.Locator("main")).ToContainTextAsync("Suspended");
        await user.Page.WaitForURLAsync("**/signin*", new() { Timeout = 15_000 });
        await user.SignInAsync(email, "correct horse battery");
        await Expect(user.Page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        Assert.Contains("/signin", user.Page.Url, StringComparison.Ordinal);
        await user.ScreenshotAsync("signin-suspended");
        user.AssertNoErrors();
        admin.AssertNoErrors();
    }

    /// <summary>The admin pages and the account page at both widths in both languages, switched in the page as a user would.</summary>
    private async Task TourAsync(UiPage admin)
    {
        var catalog = (await browser.Server.RegisterAsync()).Client;
        // Other tests on this server share workflows; the audit log shows their names and descriptions, which are data.
        var shared = await browser.Server.QueryAsync(db => db.SharedWorkflows.Select(w => new { w.Name, w.Description }).ToListAsync());
        // Shared presets too (deleted ones stay in the audit): their names and setting values are data; the setting names are not.
        var presetAudit = await browser.Server.QueryAsync(db => db.AdminAudit.Where(a => a.TargetType == "shared_preset").Select(a => new[] { a.BeforeJson, a.AfterJson }).ToListAsync());
        string[] typed = [.. UserData, .. shared.SelectMany(w => new[] { w.Name, w.Description ?? "" }), .. presetAudit.SelectMany(p => p).SelectMany(PresetValues)];
        var faults = new List<string>();
        foreach (var language in new[] { "en", "ko" })
        {
            await admin.GoAsync("/account");
            await admin.Page.Locator("header").GetByRole(AriaRole.Combobox).First.SelectOptionAsync(language);
            await Expect(admin.Page.Locator("html")).ToHaveAttributeAsync("lang", language);
            foreach (var viewport in new[] { Viewport.Desktop, Viewport.Phone })
            {
                await admin.Page.SetViewportSizeAsync(viewport.Width, viewport.Height);
                var view = admin.As(viewport, language);
                foreach (var (name, path) in new[] { ("account", "/account"), ("admin-users", "/admin/users"), ("admin-workers", "/admin/workers"), ("admin-stats", "/admin/stats"), ("admin-audit", "/admin/audit") })
                {
                    faults.AddRange(await PageChecks.VisitAsync(view, name, path, catalog, typed));
                }
            }
        }

        Assert.True(faults.Count == 0, string.Join("\n", faults));
    }

    private static IEnumerable<string> PresetValues(string? json)
    {
        if (json is null || System.Text.Json.Nodes.JsonNode.Parse(json) is not System.Text.Json.Nodes.JsonObject entry)
        {
            yield break;
        }

        if (entry["name"]?.ToString() is { } name)
        {
            yield return name;
        }

        foreach (var (_, value) in entry["settings"] as System.Text.Json.Nodes.JsonObject ?? [])
        {
            yield return value?.ToString() ?? "";
        }
    }

    private string CodeNow(string secret) => Totp.Code(Totp.FromBase32(secret), Totp.StepAt(browser.Server.Time.GetUtcNow()));

    private static int Credits(string text) => int.Parse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
}
