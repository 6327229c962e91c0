using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;
using Pingvas.Testing.Loras;

namespace Pingvas.E2E.Tests;

/// <summary>
/// The issue-11 pages — the workflow library, a workflow's run form, the LoRA manager and the Generate
/// page with its add-on panels open — at a laptop's and a phone's width, in English and Korean: a
/// screenshot of each, no sideways scrolling, no English left in Korean, no JavaScript error.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AdvancedPageTourTests(BrowserFixture browser)
{
    /// <summary>What the pages show as the user typed or the workflow file says (names, its field labels): not UI text.</summary>
    private static readonly string[] UserData = ["Lighthouse workflow", "Harbour style", "harbour-style.safetensors", "Prompt", "Seed", "Min-jun Kim"];

    public static TheoryData<string, string> Tours => new() { { "en", "desktop" }, { "en", "phone" }, { "ko", "desktop" }, { "ko", "phone" } };

    [Theory]
    [MemberData(nameof(Tours))]
    public async Task The_workflow_lora_and_add_on_pages_read_well_at_this_width_in_this_language(string language, string width)
    {
        await using var ui = await browser.OpenAsync(width == "phone" ? Viewport.Phone : Viewport.Desktop, language);
        var catalog = (await browser.Server.RegisterAsync()).Client;
        using var api = await ui.SignUpOnPlanAsync("pro");
        var saved = await api.PostAsJsonAsync("/api/v1/workflows", new
        {
            name = "Lighthouse workflow",
            description = "Prompt and seed exposed",
            workflow = JsonDocument.Parse(AdvancedKit.Workflow("sd15-txt2img.workflow.json")).RootElement,
        });
        saved.EnsureSuccessStatusCode();
        var workflowId = (await saved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await AdvancedKit.UploadLoraAsync(api, LoraFiles.Sd1(seed: 5), "harbour-style.safetensors", "Harbour style");
        await ApiImages.GenerateAsync(api, "edges to follow", side: 256);

        // The library also lists what admins shared with Pro (other tests on this server do): their names are data too.
        var library = (await AdvancedKit.GetAsync(api, "/api/v1/workflows")).GetProperty("items").EnumerateArray()
            .SelectMany(w => new[] { w.GetProperty("name").GetString() ?? "", w.GetProperty("description").GetString() ?? "" });
        string[] typed = [.. UserData, .. library];
        var faults = new List<string>();
        faults.AddRange(await PageChecks.VisitAsync(ui, "workflows", "/workflows", catalog, typed));
        await AdvancedKit.UploadWorkflowAsync(ui.Page, "sd15-txt2img.workflow.json", AdvancedKit.Workflow("sd15-txt2img.workflow.json"));
        await ui.Page.GetByTestId("workflow-preview").WaitForAsync();
        faults.AddRange(await PageChecks.CheckAsync(ui, "workflows-upload", catalog, [.. typed, "sd15-txt2img"]));
        faults.AddRange(await PageChecks.VisitAsync(ui, "workflow-run", $"/workflows/{workflowId}", catalog, [.. UserData, "Prompt and seed exposed", "a lighthouse at dusk", "Dreamshaper"]));
        faults.AddRange(await PageChecks.VisitAsync(ui, "loras", "/loras", catalog, UserData));

        // The Generate page with the three panels open, a LoRA and a control image in them.
        await ui.GoAsync("/generate");
        foreach (var summary in await ui.Page.Locator("details.addon-section summary").AllAsync())
        {
            await summary.ClickAsync();
        }

        await ui.Page.Locator("details.addon-section").First.Locator("button").Last.ClickAsync();
        await ui.Page.Locator("details.addon-section").Nth(1).Locator("button[aria-expanded]").ClickAsync();
        await ui.Page.Locator("details.addon-section").Nth(1).Locator(".picker-item").First.ClickAsync();
        await ui.Page.Locator("#control-type-0").WaitForAsync();
        faults.AddRange(await PageChecks.CheckAsync(ui, "generate-addons", catalog, UserData));

        Assert.True(faults.Count == 0, string.Join("\n", faults));
        ui.AssertNoErrors();
    }
}
