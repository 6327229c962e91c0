using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

/// <summary>Tenants in the browser: one user's pictures never appear in another's pages.</summary>
[Collection(BrowserCollection.Name)]
public sealed class IsolationTests(BrowserFixture browser)
{
    [Fact]
    public async Task A_second_user_sees_neither_the_first_users_image_nor_its_job()
    {
        var first = await browser.Server.RegisterAsync();
        var job = await first.SubmitAsync();
        job = await first.WaitForAsync(job.Id, "succeeded");
        var image = job.Images.Single();

        await using var ui = await browser.OpenAsync(Viewport.Desktop);
        var page = ui.Page;
        await ui.SignUpAsync();
        await ui.GoAsync("/gallery");
        await Expect(page.Locator("main")).ToContainTextAsync("No images yet.");
        await Expect(page.Locator("main img")).ToHaveCountAsync(0);

        // Even with the id in hand (a shared link, a guess): not found, and no picture.
        await page.GotoAsync($"/gallery/{image.Id}");
        await Expect(page.Locator("main")).ToContainTextAsync("Not found");
        await Expect(page.Locator("main img")).ToHaveCountAsync(0);

        await ui.GoAsync("/queue");
        await Expect(page.Locator(".job-card")).ToHaveCountAsync(0);
        await ui.GoAsync("/credits");
        await Expect(page.Locator("main")).Not.ToContainTextAsync(job.Prompt);
        ui.AssertNoErrors();
    }
}
