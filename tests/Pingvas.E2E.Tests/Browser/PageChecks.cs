using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests.Browser;

/// <summary>What every page is checked for on a tour: its screenshot, no sideways scroll, no English left in Korean.</summary>
public static class PageChecks
{
    /// <summary>Captures the page and says what is wrong with it (every page is visited before the test fails).</summary>
    public static async Task<List<string>> VisitAsync(UiPage ui, string name, string path, HttpClient catalog, params string[] typed)
    {
        await ui.GoAsync(path);
        return await CheckAsync(ui, name, catalog, typed);
    }

    /// <summary>The same checks on the page as it is now (opened panels, a filled form).</summary>
    public static async Task<List<string>> CheckAsync(UiPage ui, string name, HttpClient catalog, params string[] typed)
    {
        await Expect(ui.Page.Locator("html")).ToHaveAttributeAsync("lang", ui.Language);
        // Thumbnails load lazily and decode after the data settles: wait for the ones in view.
        await ui.Page.WaitForFunctionAsync("() => [...document.images].every(i => i.complete)");
        await ui.ScreenshotAsync(name);
        var faults = new List<string>();
        // Against the viewport's width: a phone zooms out to wide content, and innerWidth follows it.
        var overflow = await ui.Page.EvaluateAsync<int>("w => document.documentElement.scrollWidth - w", ui.Viewport.Width);
        if (overflow > 0)
        {
            faults.Add($"{name} scrolls sideways by {overflow} px at {ui.Viewport.Name} width.");
        }

        if (ui.Language == "ko" && await KoreanText.EnglishLeftAsync(ui.Page, catalog, typed) is { Count: > 0 } english)
        {
            faults.Add($"{name} in Korean still shows: {string.Join(", ", english)}");
        }

        return faults;
    }
}
