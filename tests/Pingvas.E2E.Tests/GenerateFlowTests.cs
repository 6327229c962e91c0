using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;
using Pingvas.Server.Tests.Infrastructure;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

/// <summary>The creator's first visit: from the landing page to a finished image, and back after a reload.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class GenerateFlowTests(BrowserFixture browser)
{
    // Invariant formats like en-US ("1,234"); the test host runs in invariant-globalization mode.
    private static readonly CultureInfo English = CultureInfo.InvariantCulture;

    [Fact]
    public async Task Sign_up_generate_watch_it_reach_100_percent_find_it_in_the_gallery_and_see_the_charge_taken()
    {
        await using var ui = await browser.OpenAsync(Viewport.Desktop);
        var page = ui.Page;
        await ui.GoAsync("/");
        await page.Locator("main").GetByRole(AriaRole.Link, new() { Name = "Start free" }).ClickAsync();
        await page.WaitForURLAsync("**/signup");
        await ui.SignUpAsync();
        using var api = await ui.ApiAsync();
        var before = (await api.GetFromJsonAsync<MeBody>("/api/v1/me", Json.Options))!.Credits.Balance;

        await page.GetByLabel("Prompt", new() { Exact = true }).FillAsync("a lighthouse at dusk, seen from a browser");
        await page.GetByLabel("Steps").FillAsync("20");
        // The price is on the button before anything is submitted.
        var generate = page.Locator("button.generate-button");
        await Expect(generate).ToHaveTextAsync(CreditsOnButton());
        var shown = int.Parse(CreditsOnButton().Match(await generate.InnerTextAsync()).Groups[1].Value, NumberStyles.AllowThousands, English);

        await Progress.RecordAsync(page);
        await generate.ClickAsync();
        var card = page.Locator(".job-card").First;
        await Expect(card.Locator(".status-succeeded")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        var seen = await Progress.SeenAsync(page);
        Assert.Contains(100, seen);
        Assert.Contains(seen, p => p is > 0 and < 100);
        await Expect(card.GetByRole(AriaRole.Img).First).ToHaveJSPropertyAsync("complete", true);

        var job = (await api.GetFromJsonAsync<PageBody<GenerationBody>>("/api/v1/generations?limit=1", Json.Options))!.Items.Single();
        Assert.Equal("succeeded", job.Status);
        Assert.Equal(shown, job.ReservedCredits);
        var charged = job.CreditsCharged!.Value;
        Assert.True(charged > 0);
        await Expect(card).ToContainTextAsync($"{charged.ToString("N0", English)} credit");
        await ui.ScreenshotAsync("generate-result");

        await page.Locator("header").GetByRole(AriaRole.Link, new() { Name = "Gallery" }).ClickAsync();
        await ui.SettledAsync();
        var thumbnail = page.Locator($"main a[href='/gallery/{job.Images[0].Id}'] img");
        await Expect(thumbnail).ToBeVisibleAsync();
        await Expect(thumbnail).ToHaveJSPropertyAsync("complete", true);
        Assert.True(await thumbnail.EvaluateAsync<int>("img => img.naturalWidth") > 0, "The thumbnail did not load.");

        await page.Locator("header").GetByRole(AriaRole.Link, new() { Name = "Credits" }).ClickAsync();
        await ui.SettledAsync();
        await Expect(page.Locator("main dl")).ToContainTextAsync((before - charged).ToString("N0", English));
        ui.AssertNoErrors();
    }

    [Fact]
    public async Task A_reload_while_a_job_runs_reattaches_to_it_and_follows_it_to_the_end()
    {
        await using var ui = await browser.OpenAsync(Viewport.Desktop);
        var page = ui.Page;
        await ui.SignUpAsync();
        await page.GetByLabel("Prompt", new() { Exact = true }).FillAsync("a slow one, to reload under");
        await page.GetByLabel("Steps").FillAsync("60");
        var generate = page.Locator("button.generate-button");
        await Expect(generate).ToHaveTextAsync(CreditsOnButton());
        await generate.ClickAsync();
        await page.Locator("header").GetByRole(AriaRole.Link, new() { Name = "My queue" }).ClickAsync();
        var bar = page.Locator(".job-card [role=progressbar]");
        await Expect(bar).ToHaveAttributeAsync("aria-valuenow", NonZero());
        var beforeReload = int.Parse((await bar.GetAttributeAsync("aria-valuenow"))!, CultureInfo.InvariantCulture);

        await page.ReloadAsync();
        await Progress.RecordAsync(page);
        // The hub re-sends the running job on connect: the same one card, moving on from where it was.
        await Expect(page.Locator(".job-card")).ToHaveCountAsync(1);
        await Expect(page.Locator(".job-card")).ToContainTextAsync("a slow one, to reload under");
        // My queue shows what waits or runs: the finished job leaves it.
        await Expect(page.Locator(".job-card")).ToHaveCountAsync(0, new() { Timeout = 60_000 });
        var seen = await Progress.SeenAsync(page);
        Assert.Contains(seen, p => p > beforeReload);
        using var api = await ui.ApiAsync();
        var job = (await api.GetFromJsonAsync<PageBody<GenerationBody>>("/api/v1/generations?limit=1", Json.Options))!.Items.Single();
        Assert.Equal("succeeded", job.Status);
        ui.AssertNoErrors();
    }

    /// <summary>"Generate · 12 credits": the estimate, in the button's own words.</summary>
    [GeneratedRegex(@"([\d,]+) credits?")]
    private static partial Regex CreditsOnButton();

    [GeneratedRegex("^[1-9][0-9]*$")]
    private static partial Regex NonZero();
}
