using System.Text.Json;

using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;
using Pingvas.Testing.Loras;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

/// <summary>
/// The LoRA manager: a Pro user uploads a .safetensors of a few megabytes and watches the bytes go,
/// sees the family the server read from it, renames and deletes it; a Starter user sees it locked.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LoraManagerTests(BrowserFixture browser)
{
    private const long FileBytes = 6 * 1024 * 1024;

    [Fact]
    public async Task A_pro_user_uploads_a_lora_with_progress_sees_its_family_renames_and_deletes_it()
    {
        await using var ui = await browser.OpenAsync(Viewport.Desktop);
        var page = ui.Page;
        using var api = await ui.SignUpOnPlanAsync("pro");
        // The plan changed after the page loaded: a reload reads it, as the next visit would.
        await ui.GoAsync("/generate");
        await page.Locator("header summary", new() { HasText = "More" }).ClickAsync();
        await page.Locator("header").GetByRole(AriaRole.Link, new() { Name = "LoRAs" }).ClickAsync();
        await ui.SettledAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "LoRAs", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText("No LoRAs yet.")).ToBeVisibleAsync();

        await page.Locator("input[type=file][accept='.safetensors']").SetInputFilesAsync(new FilePayload
        {
            Name = "harbour-style.safetensors",
            MimeType = "application/octet-stream",
            Buffer = LoraFiles.Sd1OfSize(FileBytes),
        });
        await Expect(page.Locator("main")).ToContainTextAsync("harbour-style.safetensors · 6 MB");
        await page.Locator("#lora-name").FillAsync("Harbour style");
        await Progress.RecordAsync(page);
        // Slow the link to ~4 MB/s so the bar is on screen long enough to be seen moving.
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("Network.enable");
        await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object>
        {
            ["offline"] = false,
            ["latency"] = 0,
            ["downloadThroughput"] = -1,
            ["uploadThroughput"] = 4 * 1024 * 1024,
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();
        var progress = page.GetByTestId("lora-upload-progress");
        await Expect(progress).ToBeVisibleAsync();
        await Expect(progress).ToContainTextAsync("of 6 MB");
        await ui.ScreenshotAsync("loras-uploading");
        var row = page.GetByTestId("lora-row");
        await Expect(row).ToHaveCountAsync(1, new() { Timeout = 60_000 });
        await Expect(progress).ToHaveCountAsync(0);
        await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object>
        {
            ["offline"] = false,
            ["latency"] = 0,
            ["downloadThroughput"] = -1,
            ["uploadThroughput"] = -1,
        });
        var seen = await Progress.SeenAsync(page);
        Assert.Contains(seen, p => p is > 0 and < 100);
        Assert.Equal(100, seen.Max());

        // The family is read from the file's tensor names, not from its name.
        await Expect(row).ToHaveAttributeAsync("data-family", "sd1");
        await Expect(row.Locator(".badge")).ToHaveTextAsync("SD 1.5");
        await Expect(row).ToContainTextAsync("Harbour style");
        await Expect(row).ToContainTextAsync("harbour-style.safetensors · 6 MB");
        await Expect(page.GetByTestId("lora-storage")).ToContainTextAsync("6 MB");
        var lora = (await AdvancedKit.GetAsync(api, "/api/v1/loras")).GetProperty("items").EnumerateArray().Single();
        Assert.Equal(("Harbour style", "sd1", FileBytes), (lora.GetProperty("name").GetString(), lora.GetProperty("family").GetString(), lora.GetProperty("bytes").GetInt64()));
        await ui.ScreenshotAsync("loras");

        await row.GetByRole(AriaRole.Button, new() { Name = "Rename Harbour style" }).ClickAsync();
        await row.GetByLabel("New name").FillAsync("Harbour at dawn");
        await row.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(row.GetByRole(AriaRole.Heading)).ToContainTextAsync("Harbour at dawn");
        Assert.Equal("Harbour at dawn", (await AdvancedKit.GetAsync(api, $"/api/v1/loras/{lora.GetProperty("id").GetGuid()}")).GetProperty("name").GetString());

        await row.GetByRole(AriaRole.Button, new() { Name = "Delete Harbour at dawn" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Yes, delete it" }).ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        await Expect(page.GetByText("No LoRAs yet.")).ToBeVisibleAsync();
        var after = await AdvancedKit.GetAsync(api, "/api/v1/loras");
        Assert.Empty(after.GetProperty("items").EnumerateArray());
        Assert.Equal(0, after.GetProperty("usedBytes").GetInt64());
        ui.AssertNoErrors();
    }

    [Fact]
    public async Task A_broken_file_is_refused_with_the_reason_and_nothing_is_kept()
    {
        await using var ui = await browser.OpenAsync(Viewport.Desktop);
        var page = ui.Page;
        using var api = await ui.SignUpOnPlanAsync("pro");
        await ui.GoAsync("/loras");
        var (_, bytes, _) = LoraFiles.Broken().Single(b => b.Name == "truncated");
        await page.Locator("input[type=file][accept='.safetensors']").SetInputFilesAsync(new FilePayload { Name = "broken.safetensors", MimeType = "application/octet-stream", Buffer = bytes });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await Expect(page.Locator("main")).ToContainTextAsync("truncated");
        await Expect(page.GetByTestId("lora-row")).ToHaveCountAsync(0);
        Assert.Empty((await AdvancedKit.GetAsync(api, "/api/v1/loras")).GetProperty("items").EnumerateArray());
        ui.AssertNoErrors();
    }

    [Fact]
    public async Task A_starter_user_sees_loras_locked_naming_pro()
    {
        await using var ui = await browser.OpenAsync(Viewport.Desktop);
        using var api = await ui.SignUpOnPlanAsync("starter");
        await ui.GoAsync("/loras");
        var lockNotice = ui.Page.GetByTestId("feature-lock");
        await Expect(lockNotice).ToContainTextAsync("LoRAs comes with the Pro plan and above.");
        await Expect(ui.Page.Locator("input[type=file]")).ToHaveCountAsync(0);
        await ui.ScreenshotAsync("loras-locked");
        // The API agrees with the page.
        using var form = new MultipartFormDataContent { { new ByteArrayContent(LoraFiles.Sd1()), "file", "a.safetensors" } };
        var refused = await api.PostAsync("/api/v1/loras", form);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("plan_forbids_feature", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        ui.AssertNoErrors();
    }
}
