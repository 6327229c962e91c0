using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

/// <summary>What a Free plan cannot use is shown, locked, with the plan that unlocks it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PlanLockTests(BrowserFixture browser)
{
    [Fact]
    public async Task A_free_user_sees_flux_and_the_canvas_locked_with_the_plan_that_unlocks_them()
    {
        await using var ui = await browser.OpenAsync(Viewport.Desktop);
        var page = ui.Page;
        await ui.SignUpAsync();

        var models = page.GetByLabel("Model");
        foreach (var flux in new[] { "flux-schnell", "flux-dev" })
        {
            var option = models.Locator($"option[value='{flux}']");
            await Expect(option).ToBeDisabledAsync();
            await Expect(option).ToContainTextAsync("Pro");
        }
        // What the plan includes can be picked.
        await Expect(models.Locator("option[value='sd-1.5']")).ToBeEnabledAsync();

        await page.Locator("header").GetByRole(AriaRole.Link, new() { Name = "Canvas" }).ClickAsync();
        await ui.SettledAsync();
        await Expect(page.Locator("main")).ToContainTextAsync("Canvas comes with the Starter plan");
        await Expect(page.Locator("main canvas")).ToHaveCountAsync(0);
        await page.Locator("main").GetByRole(AriaRole.Link, new() { Name = "See plans" }).ClickAsync();
        await page.WaitForURLAsync("**/pricing");
        ui.AssertNoErrors();
    }
}
