using System.Text.Json;

using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

/// <summary>
/// Organising the gallery in the browser (docs/gallery.md): folders made in the sidebar, images dragged
/// onto a folder, moved and starred and trashed by keyboard, tagged from the selection bar, restored
/// from the trash; a Korean search finds a word inside a longer one; filters narrow the grid and
/// survive a reload; the tag manager renames a tag on all its images and merges it into another.
/// Screenshots at both widths in both languages.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class GalleryOrganizeTests(BrowserFixture browser)
{
    private const string Fox = "붉은여우가 눈밭을 달린다, a red fox in snow";
    private const string Lighthouse = "a lighthouse at dusk";
    private const string Harbour = "a quiet harbour at night";

    [Fact]
    public async Task A_user_organises_by_drag_and_drop_and_keyboard_then_finds_images_by_korean_search_and_filters()
    {
        await using var ui = await browser.OpenAsync(Viewport.Desktop);
        var page = ui.Page;
        await ui.SignUpAsync();
        using var api = await ui.ApiAsync();
        var fox = await ApiImages.GenerateAsync(api, Fox, side: 256);
        var lighthouse = await ApiImages.GenerateAsync(api, Lighthouse, side: 256);
        var harbour = await ApiImages.GenerateAsync(api, Harbour, side: 256);

        await ui.GoAsync("/gallery");
        await Expect(Tiles(page)).ToHaveCountAsync(3);
        await CreateFolderAsync(page, "Animals");
        await CreateFolderAsync(page, "Harbours");
        await Expect(FolderLink(page, "Animals")).ToContainTextAsync("0");
        await FolderLink(page, "All images").ClickAsync();
        await Expect(Tiles(page)).ToHaveCountAsync(3);

        // Drag and drop: the fox onto "Animals".
        await Tile(page, fox.Id).DragToAsync(FolderLink(page, "Animals"));
        await Expect(page.GetByTestId("gallery-status")).ToHaveTextAsync("Moved 1 image to Animals.");
        await Expect(FolderLink(page, "Animals")).ToContainTextAsync("1");
        Assert.Equal(await FolderIdAsync(api, "Animals"), (await ImageAsync(api, fox.Id)).GetProperty("folderId").GetString());

        // Keyboard: focus the harbour, M opens the list, arrows pick "Harbours", Enter moves.
        await Tile(page, harbour.Id).FocusAsync();
        await page.Keyboard.PressAsync("m");
        var dialog = page.GetByTestId("move-dialog");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Unfiled" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Harbours" })).ToBeFocusedAsync();
        await ui.ScreenshotAsync("gallery-move-dialog");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("gallery-status")).ToHaveTextAsync("Moved 1 image to Harbours.");
        Assert.Equal(await FolderIdAsync(api, "Harbours"), (await ImageAsync(api, harbour.Id)).GetProperty("folderId").GetString());

        // S stars the focused image.
        await Tile(page, lighthouse.Id).FocusAsync();
        await page.Keyboard.PressAsync("s");
        await Expect(Tile(page, lighthouse.Id)).ToHaveAttributeAsync("data-starred", "true");
        Assert.True((await ImageAsync(api, lighthouse.Id)).GetProperty("starred").GetBoolean());

        // Tag two images at once from the selection bar (their checkboxes).
        await Check(page, fox.Id).ClickAsync();
        await Check(page, harbour.Id).ClickAsync();
        await Expect(page.GetByTestId("selection-bar")).ToContainTextAsync("2 selected");
        await page.Locator("#selection-tags").FillAsync("Night Sky");
        await page.Locator("#selection-tags").PressAsync("Enter");
        await Expect(page.GetByTestId("gallery-status")).ToHaveTextAsync("Tagged 2 images with night sky.");
        Assert.Equal(["night sky"], Tags(await ImageAsync(api, harbour.Id)));
        await ui.ScreenshotAsync("gallery-organised");

        // Delete moves the focused image to the trash; the trash shows when it goes for good; restore brings it back.
        await Tile(page, lighthouse.Id).FocusAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByTestId("selection-bar")).ToHaveCountAsync(0);
        await page.Keyboard.PressAsync("Delete");
        await Expect(page.GetByTestId("gallery-status")).ToHaveTextAsync("Moved 1 image to the trash.");
        await Expect(Tile(page, lighthouse.Id)).ToHaveCountAsync(0);
        await FolderLink(page, "Trash").ClickAsync();
        await Expect(Tiles(page)).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("purge-note")).ToContainTextAsync("Deleted forever on");
        await ui.ScreenshotAsync("gallery-trash");
        await Tile(page, lighthouse.Id).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Restore", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("gallery-status")).ToHaveTextAsync("Restored 1 image.");
        await Expect(Tiles(page)).ToHaveCountAsync(0);
        await FolderLink(page, "All images").ClickAsync();
        await Expect(Tiles(page)).ToHaveCountAsync(3);

        // Korean search: "여우" is found inside "붉은여우가"; the query stays in the URL over a reload.
        await page.Locator("#gallery-search").FillAsync("여우");
        await page.WaitForURLAsync(url => url.Contains("q=%EC%97%AC%EC%9A%B0"));
        await Expect(Tiles(page)).ToHaveCountAsync(1);
        await Expect(Tile(page, fox.Id)).ToHaveCountAsync(1);
        await ui.ScreenshotAsync("gallery-search");
        await page.ReloadAsync();
        await ui.SettledAsync();
        await Expect(page.Locator("#gallery-search")).ToHaveValueAsync("여우");
        await Expect(Tiles(page)).ToHaveCountAsync(1);

        // Filters: starred only, then a tag; back returns to the previous filter.
        await page.GetByRole(AriaRole.Button, new() { Name = "Clear filters" }).ClickAsync();
        await Expect(Tiles(page)).ToHaveCountAsync(3);
        await page.GetByLabel("Starred only").CheckAsync();
        await Expect(Tiles(page)).ToHaveCountAsync(1);
        await Expect(Tile(page, lighthouse.Id)).ToHaveCountAsync(1);
        await page.GetByLabel("Starred only").UncheckAsync();
        await page.Locator("#tag-filter").SelectOptionAsync("night sky");
        await Expect(Tiles(page)).ToHaveCountAsync(2);
        await page.GoBackAsync();
        await Expect(page.Locator("#tag-filter")).ToHaveValueAsync("");
        await Expect(Tiles(page)).ToHaveCountAsync(3);

        // Tag manager: rename "night sky" on both its images (the filter on it follows), then merge it into "dusk".
        await Check(page, lighthouse.Id).ClickAsync();
        await page.Locator("#selection-tags").FillAsync("Dusk");
        await page.Locator("#selection-tags").PressAsync("Enter");
        await Expect(page.GetByTestId("gallery-status")).ToHaveTextAsync("Tagged 1 image with dusk.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Clear selection" }).ClickAsync();
        await page.Locator("#tag-filter").SelectOptionAsync("night sky");
        await Expect(Tiles(page)).ToHaveCountAsync(2);
        await page.GetByTestId("manage-tags").ClickAsync();
        var manager = page.GetByTestId("tag-manager");
        await Expect(manager.Locator("li[data-tag='night sky']")).ToContainTextAsync("2");
        await manager.GetByRole(AriaRole.Button, new() { Name = "Rename the tag night sky" }).ClickAsync();
        await manager.Locator("#tag-manager-name").FillAsync("Evening");
        await manager.Locator("#tag-manager-name").PressAsync("Enter");
        await Expect(manager.GetByTestId("tag-manager-status")).ToHaveTextAsync("Renamed “night sky” to “evening” on 2 images.");
        await page.WaitForURLAsync(url => url.Contains("tag=evening"));
        await Expect(Tiles(page)).ToHaveCountAsync(2);
        Assert.Equal(["evening"], Tags(await ImageAsync(api, fox.Id)));

        await manager.GetByRole(AriaRole.Button, new() { Name = "Rename the tag evening" }).ClickAsync();
        await manager.Locator("#tag-manager-name").FillAsync("dusk");
        await manager.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(manager.Locator("li[data-tag=evening]")).ToContainTextAsync("Merge “evening” (2 images) into “dusk” (1 image)?");
        await ui.ScreenshotAsync("gallery-tag-merge");
        Assert.Equal(["evening"], Tags(await ImageAsync(api, harbour.Id)));
        await manager.GetByRole(AriaRole.Button, new() { Name = "Merge" }).ClickAsync();
        await Expect(manager.GetByTestId("tag-manager-status")).ToHaveTextAsync("Merged “evening” into “dusk”.");
        await Expect(manager.Locator("li")).ToHaveCountAsync(1);
        await Expect(manager.Locator("li[data-tag=dusk]")).ToContainTextAsync("3");
        await ui.ScreenshotAsync("gallery-tag-manager");
        foreach (var id in new[] { fox.Id, harbour.Id, lighthouse.Id })
        {
            Assert.Equal(["dusk"], Tags(await ImageAsync(api, id)));
        }

        string[] tagCounts = [.. (await AdvancedKit.GetAsync(api, "/api/v1/tags")).GetProperty("items").EnumerateArray()
            .Select(t => $"{t.GetProperty("tag").GetString()}:{t.GetProperty("images").GetInt32()}")];
        Assert.Equal(["dusk:3"], tagCounts);
        await manager.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await Expect(manager).ToBeHiddenAsync();
        await page.WaitForURLAsync(url => url.Contains("tag=dusk"));
        await Expect(Tiles(page)).ToHaveCountAsync(3);
        ui.AssertNoErrors();
    }

    [Theory]
    [InlineData("en", "phone")]
    [InlineData("ko", "desktop")]
    [InlineData("ko", "phone")]
    public async Task The_organised_gallery_reads_well_at_this_width_in_this_language(string language, string width)
    {
        var viewport = width == "phone" ? Viewport.Phone : Viewport.Desktop;
        await using var ui = await browser.OpenAsync(viewport, language);
        var page = ui.Page;
        await ui.SignUpAsync();
        using var api = await ui.ApiAsync();
        var fox = await ApiImages.GenerateAsync(api, Fox, side: 256);
        await ApiImages.GenerateAsync(api, Lighthouse, side: 256);
        await ui.GoAsync("/gallery");
        await CreateFolderAsync(page, "Animals");
        await page.Locator("[data-testid=folder-link][data-folder=all]").ClickAsync();
        await Tile(page, fox.Id).FocusAsync();
        await page.Keyboard.PressAsync("s");
        await Expect(Tile(page, fox.Id)).ToHaveAttributeAsync("data-starred", "true");
        await page.Keyboard.PressAsync("Space");
        await Expect(page.GetByTestId("selection-bar")).ToBeVisibleAsync();

        var faults = new List<string>();
        faults.AddRange(await PageChecks.CheckAsync(ui, "gallery-organise", api, Fox, Lighthouse, "Animals", "Min-jun Kim"));
        await page.Locator("details.keyboard-help summary").ClickAsync();
        faults.AddRange(await PageChecks.CheckAsync(ui, "gallery-keys", api, Fox, Lighthouse, "Animals", "Min-jun Kim"));
        await page.Locator("details.keyboard-help summary").ClickAsync();
        await page.Keyboard.PressAsync("Escape");
        await page.Locator("#gallery-search").FillAsync("여우");
        await Expect(Tiles(page)).ToHaveCountAsync(1);
        faults.AddRange(await PageChecks.CheckAsync(ui, "gallery-search", api, Fox, Lighthouse, "Animals", "Min-jun Kim"));
        await ui.GoAsync($"/gallery/{fox.Id}");
        faults.AddRange(await PageChecks.CheckAsync(ui, "gallery-image-organise", api, Fox, Lighthouse, "Animals", "Min-jun Kim"));
        await ui.GoAsync("/gallery?view=trash");
        faults.AddRange(await PageChecks.CheckAsync(ui, "gallery-trash-empty", api, Fox, Lighthouse, "Animals", "Min-jun Kim"));

        // The tag manager, asking before a merge.
        await ui.GoAsync("/gallery");
        await Check(page, fox.Id).ClickAsync();
        await page.Locator("#selection-tags").FillAsync("여우, 눈밭");
        await page.Locator("#selection-tags").PressAsync("Enter");
        await Expect(page.GetByTestId("gallery-status")).Not.ToBeEmptyAsync();
        await page.GetByTestId("manage-tags").ClickAsync();
        var manager = page.GetByTestId("tag-manager");
        await manager.Locator("li[data-tag='눈밭'] .actions button").First.ClickAsync();
        await manager.Locator("#tag-manager-name").FillAsync("여우");
        await manager.Locator("#tag-manager-name").PressAsync("Enter");
        await Expect(manager.Locator(".tag-manager-question")).ToBeVisibleAsync();
        faults.AddRange(await PageChecks.CheckAsync(ui, "gallery-tag-merge", api, Fox, Lighthouse, "Animals", "Min-jun Kim"));
        Assert.Empty(faults);
        ui.AssertNoErrors();
    }

    private static ILocator Tiles(IPage page) => page.GetByTestId("gallery-item");

    private static ILocator Tile(IPage page, Guid id) => page.Locator($"[data-testid=gallery-item][data-id='{id}']");

    private static ILocator Check(IPage page, Guid id) => page.Locator($".gallery-tile:has([data-id='{id}']) .tile-check");

    private static ILocator FolderLink(IPage page, string name) =>
        page.Locator("nav.folder-sidebar [data-testid=folder-link]", new() { Has = page.Locator(".folder-name", new() { HasTextRegex = new($"^{System.Text.RegularExpressions.Regex.Escape(name)}$") }) });

    private static async Task CreateFolderAsync(IPage page, string name)
    {
        await page.Locator("nav.folder-sidebar .new-folder").ClickAsync();
        await page.Locator("#folder-name").FillAsync(name);
        await page.Locator("[data-testid=folder-create-form] button[type=submit]").ClickAsync();
        await Expect(FolderLink(page, name)).ToHaveAttributeAsync("aria-current", "true");
    }

    private static async Task<JsonElement> ImageAsync(HttpClient api, Guid id) => await AdvancedKit.GetAsync(api, $"/api/v1/images/{id}");

    private static async Task<string> FolderIdAsync(HttpClient api, string name) =>
        (await AdvancedKit.GetAsync(api, "/api/v1/folders")).GetProperty("items").EnumerateArray()
            .Single(f => f.GetProperty("name").GetString() == name).GetProperty("id").GetString()!;

    private static string[] Tags(JsonElement image) => [.. image.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!)];
}
