using System.Net;
using System.Net.Http.Json;

using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;
using Pingvas.Server.Tests.Infrastructure;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

/// <summary>
/// The account page's "your data" sections: request an export and watch its progress turn into a
/// download link; delete the account with the password, land signed out on the landing page with a
/// message, and find that the account can no longer sign in. In both languages, desktop and phone.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class YourDataTests(BrowserFixture browser)
{
    public static TheoryData<string, string> Views => new() { { "en", "desktop" }, { "en", "phone" }, { "ko", "desktop" }, { "ko", "phone" } };

    [Theory]
    [MemberData(nameof(Views))]
    public async Task A_user_exports_their_data_then_deletes_the_account_and_cannot_sign_in_again(string language, string width)
    {
        await using var ui = await browser.OpenAsync(width == "phone" ? Viewport.Phone : Viewport.Desktop, language);
        var page = ui.Page;
        const string password = "correct horse battery";
        var email = await ui.SignUpAsync(password: password);
        using var api = await ui.ApiAsync();
        await ui.GoAsync("/account");

        var export = page.Locator("section[aria-labelledby=export-title]");
        await Progress.RecordAsync(page);
        await export.Locator(".actions button").ClickAsync();
        var download = export.GetByTestId("export-download");
        await Expect(download).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.NotEmpty(await Progress.SeenAsync(page));
        var link = await download.GetAttributeAsync("href");
        var ready = (await api.GetFromJsonAsync<ExportList>("/api/v1/me/exports", Json.Options))!.Items.Single();
        Assert.Equal(("ready", 100, ready.DownloadUrl), (ready.Status, ready.Progress, link));
        using (var anonymous = browser.Server.CreateClient())
        {
            var zip = await anonymous.GetAsync(new Uri(link!).PathAndQuery);
            Assert.Equal(HttpStatusCode.OK, zip.StatusCode);
            Assert.Equal("PK"u8.ToArray(), (await zip.Content.ReadAsByteArrayAsync())[..2]);
        }

        await export.ScrollIntoViewIfNeededAsync();
        await ui.ScreenshotAsync("account-export");

        var deletion = page.Locator("section[aria-labelledby=delete-account-title]");
        await deletion.Locator("#delete-password").FillAsync(password);
        await deletion.Locator("button[type=submit]").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToBeVisibleAsync();
        await ui.ScreenshotAsync("account-delete-confirm");
        await dialog.Locator("button[type=submit]").ClickAsync();

        await page.WaitForURLAsync("**/?accountDeleted=1");
        await Expect(page.Locator("main .notice[role=status]")).ToBeVisibleAsync();
        await ui.ScreenshotAsync("account-deleted");
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/me")).StatusCode);

        // The old address and password no longer sign in.
        await ui.SignInAsync(email, password);
        await Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        Assert.EndsWith("/signin", new Uri(page.Url).AbsolutePath);
        ui.AssertNoErrors();
    }

    private sealed record ExportItem(string Status, int Progress, string? DownloadUrl);

    private sealed record ExportList(List<ExportItem> Items);
}
