using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

/// <summary>
/// The workflow library: upload an InvokeAI editor export, save it, run it from the form its exposed
/// fields make, keep a result as its card's picture; what the embedded engine cannot run and what the
/// allow-list refuses are said in the page, before any credit moves.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class WorkflowLibraryTests(BrowserFixture browser)
{
    private const string Name = "Lighthouse workflow";
    private const string KoreanPrompt = "해질녘의 등대, 수채화";

    [Fact]
    public async Task A_starter_user_uploads_saves_runs_a_workflow_and_keeps_a_result_as_its_thumbnail()
    {
        await using var ui = await browser.OpenAsync(Viewport.Desktop);
        var page = ui.Page;
        using var api = await ui.SignUpOnPlanAsync("starter");
        // The plan changed after the page loaded: a reload reads it, as the next visit would.
        await ui.GoAsync("/generate");
        await page.Locator("header summary", new() { HasText = "More" }).ClickAsync();
        await page.Locator("header").GetByRole(AriaRole.Link, new() { Name = "Workflows" }).ClickAsync();
        await ui.SettledAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Workflows", Level = 1 })).ToBeVisibleAsync();

        // The file is read in the page: its exposed fields are listed before anything is sent.
        await AdvancedKit.UploadWorkflowAsync(page, "sd15-txt2img.workflow.json", AdvancedKit.Workflow("sd15-txt2img.workflow.json"));
        var preview = page.GetByTestId("workflow-preview");
        await Expect(preview).ToContainTextAsync("Prompt");
        await Expect(preview).ToContainTextAsync("Seed");
        await Expect(page.Locator("#workflow-name")).ToHaveValueAsync("sd15-txt2img");
        await page.Locator("#workflow-name").FillAsync(Name);
        await ui.ScreenshotAsync("workflows-preview");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save workflow" }).ClickAsync();
        var card = page.GetByTestId("workflow-card").Filter(new() { HasText = Name });
        await Expect(card).ToHaveCountAsync(1);
        await Expect(card).ToHaveAttributeAsync("data-shared", "false");
        await Expect(preview).ToHaveCountAsync(0);

        var saved = (await AdvancedKit.GetAsync(api, "/api/v1/workflows")).GetProperty("items").EnumerateArray().Single();
        var id = saved.GetProperty("id").GetGuid();
        Assert.Equal(Name, saved.GetProperty("name").GetString());
        Assert.Equal(["positive.prompt", "noise.seed"], saved.GetProperty("exposedFields").EnumerateArray()
            .Select(f => $"{f.GetProperty("nodeId").GetString()}.{f.GetProperty("field").GetString()}"));
        Assert.Equal(JsonValueKind.Null, saved.GetProperty("thumbnailUrl").ValueKind);

        // Open it: the form is its exposed fields, filled with the file's values; a Korean prompt goes as typed.
        await card.GetByRole(AriaRole.Link, new() { Name = Name }).ClickAsync();
        await page.WaitForURLAsync($"**/workflows/{id}");
        await ui.SettledAsync();
        await Expect(page.Locator("#input-positive_prompt")).ToHaveValueAsync("a lighthouse at dusk");
        await Expect(page.Locator("#input-noise_seed")).ToHaveValueAsync("42");
        await page.Locator("#input-positive_prompt").FillAsync(KoreanPrompt);
        await page.Locator("#input-noise_seed").FillAsync("7");
        var generate = page.Locator("button.generate-button");
        await Expect(generate).ToContainTextAsync("credit");
        await Expect(generate).ToBeEnabledAsync();
        await generate.ClickAsync();
        var job = page.GetByTestId("job-card").First;
        await Expect(job.Locator(".status-succeeded")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        var result = job.GetByRole(AriaRole.Img).First;
        await Expect(result).ToHaveJSPropertyAsync("complete", true);
        Assert.True(await result.EvaluateAsync<int>("img => img.naturalWidth") > 0, "The result did not load.");

        var listed = (await AdvancedKit.GetAsync(api, "/api/v1/generations?limit=1")).GetProperty("items").EnumerateArray().Single();
        var done = await AdvancedKit.GetAsync(api, $"/api/v1/generations/{listed.GetProperty("id").GetGuid()}");
        Assert.Equal(("workflow", "succeeded", id), (done.GetProperty("kind").GetString(), done.GetProperty("status").GetString(), done.GetProperty("workflowId").GetGuid()));
        Assert.Equal((KoreanPrompt, 7L), (done.GetProperty("prompt").GetString(), done.GetProperty("seed").GetInt64()));
        var image = done.GetProperty("images").EnumerateArray().Single();
        Assert.Equal((128, 128), (image.GetProperty("width").GetInt32(), image.GetProperty("height").GetInt32()));
        await ui.ScreenshotAsync("workflow-run");

        // The result becomes the card's picture.
        await page.GetByRole(AriaRole.Button, new() { Name = "Use as thumbnail" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Thumbnail set" })).ToBeDisabledAsync();
        var thumbnailUrl = (await AdvancedKit.GetAsync(api, $"/api/v1/workflows/{id}")).GetProperty("thumbnailUrl").GetString();
        Assert.False(string.IsNullOrEmpty(thumbnailUrl));
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the workflows" }).ClickAsync();
        await ui.SettledAsync();
        // Decorative on the card (alt=""): the name says what it is. Signed URLs differ in their expiry only.
        var thumbnail = card.Locator("img");
        await Expect(thumbnail).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(thumbnailUrl!.Split('?')[0])));
        await Expect(thumbnail).ToHaveJSPropertyAsync("complete", true);
        Assert.True(await thumbnail.EvaluateAsync<int>("img => img.naturalWidth") > 0, "The thumbnail did not load.");
        await ui.ScreenshotAsync("workflows");
        ui.AssertNoErrors();
    }

    [Fact]
    public async Task What_the_embedded_engine_cannot_run_and_a_forbidden_node_are_explained_before_any_credit_moves()
    {
        await using var ui = await browser.OpenAsync(Viewport.Desktop);
        var page = ui.Page;
        using var api = await ui.SignUpOnPlanAsync("starter");
        var balance = (await AdvancedKit.GetAsync(api, "/api/v1/me")).GetProperty("credits").GetProperty("balance").GetInt32();
        await ui.GoAsync("/workflows");

        // A blur after the decode is no plain chain: the procedural engine cannot lower it, no GPU worker serves it.
        var blur = AdvancedKit.Workflow("sd15-blur.workflow.json");
        await AdvancedKit.UploadWorkflowAsync(page, "sd15-blur.workflow.json", blur);
        await page.GetByRole(AriaRole.Button, new() { Name = "Run once" }).ClickAsync();
        var preview = page.GetByTestId("workflow-preview");
        await Expect(preview.GetByRole(AriaRole.Alert)).ToContainTextAsync("No GPU worker can run this workflow right now.");
        await Expect(preview.Locator("button.generate-button")).ToBeDisabledAsync();
        await ui.ScreenshotAsync("workflows-needs-gpu");
        var submitted = await api.PostAsJsonAsync("/api/v1/generations", new { kind = "workflow", workflow = JsonDocument.Parse(blur).RootElement });
        Assert.Equal(HttpStatusCode.Conflict, submitted.StatusCode);
        Assert.Equal("workflow_needs_gpu_worker", (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        // A node that writes files is refused by its type, named in the message; nothing is saved.
        await AdvancedKit.UploadWorkflowAsync(page, "writes-files.json", AdvancedKit.WorkflowWithForbiddenNode());
        await Expect(page.Locator("#workflow-name")).ToHaveValueAsync("writes-files");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save workflow" }).ClickAsync();
        await Expect(preview.GetByRole(AriaRole.Alert)).ToContainTextAsync("The workflow uses the node “save_image_to_file”, which is not allowed here.");
        await ui.ScreenshotAsync("workflows-forbidden-node");

        Assert.Empty((await AdvancedKit.GetAsync(api, "/api/v1/workflows")).GetProperty("items").EnumerateArray());
        Assert.Empty((await AdvancedKit.GetAsync(api, "/api/v1/generations")).GetProperty("items").EnumerateArray());
        Assert.Equal(balance, (await AdvancedKit.GetAsync(api, "/api/v1/me")).GetProperty("credits").GetProperty("balance").GetInt32());
        ui.AssertNoErrors();
    }

    [Fact]
    public async Task A_free_user_finds_the_library_locked_with_the_plan_that_unlocks_it()
    {
        await using var ui = await browser.OpenAsync(Viewport.Desktop);
        await ui.SignUpAsync();
        await ui.GoAsync("/workflows");
        var lockNotice = ui.Page.GetByTestId("feature-lock");
        await Expect(lockNotice).ToContainTextAsync("Workflows comes with the Starter plan and above.");
        await Expect(ui.Page.Locator("input[type=file]")).ToHaveCountAsync(0);
        await lockNotice.GetByRole(AriaRole.Link, new() { Name = "See plans" }).ClickAsync();
        await ui.Page.WaitForURLAsync("**/pricing");
        ui.AssertNoErrors();
    }
}
