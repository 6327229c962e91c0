using System.Net.Http.Json;

using Pingvas.E2E.Tests.Browser;
using Pingvas.Server.Tests.Infrastructure;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

/// <summary>
/// Every page at a laptop's and a phone's width, in English and in Korean: a screenshot of each for
/// people to look at (artifacts/screenshots/), no sideways scrolling on a phone, no English left in
/// the Korean pages, no JavaScript error anywhere.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PageTourTests(BrowserFixture browser)
{
    private const string Prompt = "a lighthouse at dusk";

    private static readonly (string Name, string Path)[] PublicPages =
        [("landing", "/"), ("pricing", "/pricing"), ("signin", "/signin"), ("signup", "/signup"), ("not-found", "/no-such-page")];

    private static readonly (string Name, string Path)[] UserPages =
        [("generate", "/generate"), ("canvas", "/canvas"), ("queue", "/queue"), ("gallery", "/gallery"), ("credits", "/credits"), ("account", "/account")];

    public static TheoryData<string, string> Tours => new() { { "en", "desktop" }, { "en", "phone" }, { "ko", "desktop" }, { "ko", "phone" } };

    [Theory]
    [MemberData(nameof(Tours))]
    public async Task Every_page_reads_well_at_this_width_in_this_language(string language, string width)
    {
        await using var ui = await browser.OpenAsync(width == "phone" ? Viewport.Phone : Viewport.Desktop, language);
        var faults = new List<string>();
        // Reads the catalog's names (models need a signed-in caller) for the Korean check.
        var catalog = (await browser.Server.RegisterAsync()).Client;
        foreach (var (name, path) in PublicPages)
        {
            faults.AddRange(await PageChecks.VisitAsync(ui, name, path, catalog, Prompt, "Min-jun Kim"));
        }

        using var api = await ui.SignUpOnPlanAsync("starter");
        var image = (await ApiImages.GenerateAsync(api, Prompt)).Id;
        foreach (var (name, path) in UserPages.Append(("image", $"/gallery/{image}")))
        {
            faults.AddRange(await PageChecks.VisitAsync(ui, name, path, catalog, Prompt, "Min-jun Kim"));
        }

        Assert.True(faults.Count == 0, string.Join("\n", faults));
        ui.AssertNoErrors();
    }
}
