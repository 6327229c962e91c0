using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;
using Pingvas.Testing.Loras;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

/// <summary>
/// The Generate page's LoRA, ControlNet and IP-Adapter panels: a Pro user adds a LoRA of the model's
/// family (the others are not offered), a canny control image from the gallery and an uploaded
/// reference, generates, and the job carries them with their defaults; a Free user sees them locked.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AddOnPanelTests(BrowserFixture browser)
{
    private const string Prompt = "a harbour in the style of the LoRA";

    [Fact]
    public async Task A_pro_user_generates_with_a_lora_a_canny_control_image_and_a_reference()
    {
        await using var ui = await browser.OpenAsync(Viewport.Desktop);
        var page = ui.Page;
        using var api = await ui.SignUpOnPlanAsync("pro");
        var sd1 = (await AdvancedKit.UploadLoraAsync(api, LoraFiles.Sd1(seed: 3), "harbour.safetensors", "Harbour sd1")).GetProperty("id").GetGuid();
        await AdvancedKit.UploadLoraAsync(api, LoraFiles.Sdxl(seed: 4), "castle.safetensors", "Castle sdxl");
        var edges = await ApiImages.GenerateAsync(api, "edges to follow", side: 256);
        var look = await ApiImages.GenerateAsync(api, "a look to carry over", side: 256);
        using var lookResponse = await api.GetAsync(look.Url);
        var lookType = lookResponse.Content.Headers.ContentType!.MediaType!;
        var lookFile = await lookResponse.Content.ReadAsByteArrayAsync();

        await ui.GoAsync("/generate");
        await page.GetByLabel("Model").SelectOptionAsync("sd-1.5");
        await page.GetByLabel("Prompt", new() { Exact = true }).FillAsync(Prompt);
        await page.GetByLabel("Steps").FillAsync("12");

        // LoRA: only the SD 1.5 one is offered for an SD 1.5 model.
        await Section(page, "LoRA").Locator("summary").ClickAsync();
        var pick = page.Locator("#lora-pick");
        await Expect(pick.Locator("option")).ToHaveTextAsync(["Harbour sd1"]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add LoRA" }).ClickAsync();
        await Expect(page.GetByTestId("lora-choice")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("lora-choice")).ToContainTextAsync("Harbour sd1");
        await Expect(page.Locator("#lora-weight-0")).ToHaveValueAsync("0.75");
        // Nothing else of this family is left to add.
        await Expect(pick).ToHaveCountAsync(0);

        // ControlNet: a gallery image; canny is the first type for SD 1.5.
        var control = Section(page, "ControlNet");
        await control.Locator("summary").ClickAsync();
        await control.GetByRole(AriaRole.Button, new() { Name = "From the gallery" }).ClickAsync();
        await control.GetByRole(AriaRole.Button, new() { Name = "Pick the image “edges to follow”" }).ClickAsync();
        await Expect(page.GetByTestId("control-choice")).ToHaveCountAsync(1);
        await Expect(page.Locator("#control-type-0")).ToHaveValueAsync("canny");
        await Expect(page.Locator("#control-weight-0")).ToHaveValueAsync("1");
        await Expect(page.Locator("#control-begin-0")).ToHaveValueAsync("0");
        await Expect(page.Locator("#control-end-0")).ToHaveValueAsync("12");

        // IP-Adapter: an uploaded file (it becomes one of the user's uploads).
        var reference = Section(page, "IP-Adapter");
        await reference.Locator("summary").ClickAsync();
        await reference.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "look." + lookType.Split('/')[1], MimeType = lookType, Buffer = lookFile });
        await Expect(page.Locator("#reference-weight")).ToHaveValueAsync("0.5");
        await Expect(reference.GetByRole(AriaRole.Img)).ToHaveJSPropertyAsync("complete", true);
        await ui.ScreenshotAsync("generate-addons");

        var generate = page.Locator("button.generate-button");
        await Expect(generate).ToBeEnabledAsync();
        await generate.ClickAsync();
        var card = page.Locator(".results .job-card").First;
        await Expect(card.Locator(".status-succeeded")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(card.GetByRole(AriaRole.Img).First).ToHaveJSPropertyAsync("complete", true);

        var listed = (await AdvancedKit.GetAsync(api, "/api/v1/generations?limit=1")).GetProperty("items").EnumerateArray().Single();
        var job = await AdvancedKit.GetAsync(api, $"/api/v1/generations/{listed.GetProperty("id").GetGuid()}");
        Assert.Equal(("succeeded", Prompt), (job.GetProperty("status").GetString(), job.GetProperty("prompt").GetString()));
        var lora = job.GetProperty("loras").EnumerateArray().Single();
        Assert.Equal((sd1, 0.75), (lora.GetProperty("id").GetGuid(), lora.GetProperty("weight").GetDouble()));
        var used = job.GetProperty("control").EnumerateArray().Single();
        Assert.Equal((edges.Id, "canny", 1.0, 0, 12),
            (used.GetProperty("imageId").GetGuid(), used.GetProperty("type").GetString(), used.GetProperty("weight").GetDouble(), used.GetProperty("beginStep").GetInt32(), used.GetProperty("endStep").GetInt32()));
        var uploads = (await AdvancedKit.GetAsync(api, "/api/v1/uploads")).GetProperty("items").EnumerateArray().ToList();
        var uploaded = Assert.Single(uploads).GetProperty("id").GetGuid();
        var carried = job.GetProperty("reference");
        Assert.Equal((uploaded, 0.5), (carried.GetProperty("imageId").GetGuid(), carried.GetProperty("weight").GetDouble()));
        await ui.ScreenshotAsync("generate-addons-result");
        ui.AssertNoErrors();
    }

    [Fact]
    public async Task A_free_user_sees_the_lora_controlnet_and_ip_adapter_panels_locked_naming_pro()
    {
        await using var ui = await browser.OpenAsync(Viewport.Desktop);
        var page = ui.Page;
        await ui.SignUpAsync();
        foreach (var title in new[] { "LoRA", "ControlNet", "IP-Adapter" })
        {
            var section = Section(page, title);
            await Expect(section.Locator("summary")).ToContainTextAsync("Locked");
            await section.Locator("summary").ClickAsync();
            await Expect(section.GetByTestId("feature-lock")).ToContainTextAsync($"{title} comes with the Pro plan and above.");
            await Expect(section.Locator("input, select")).ToHaveCountAsync(0);
        }

        await ui.ScreenshotAsync("generate-addons-locked");
        ui.AssertNoErrors();
    }

    private static ILocator Section(IPage page, string title) =>
        page.Locator("details.addon-section").Filter(new() { Has = page.Locator("summary", new() { HasTextRegex = new($"^{System.Text.RegularExpressions.Regex.Escape(title)}") }) });
}
