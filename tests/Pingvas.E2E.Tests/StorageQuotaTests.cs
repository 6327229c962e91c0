using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;
using Pingvas.Server.Catalog;
using Pingvas.Server.Tests.Infrastructure;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

/// <summary>
/// The storage bar on the account page shows real usage after generating; the retention rule is
/// previewed (count, bytes, thumbnails) and saved after a confirmation; a user over the quota sees
/// the translated storage_quota_exceeded message on the Generate page. Desktop and phone, en and ko.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class StorageQuotaTests(BrowserFixture browser)
{
    [Theory]
    [InlineData("en", "desktop")]
    [InlineData("ko", "phone")]
    public async Task The_bar_shows_real_usage_and_the_retention_rule_is_previewed_and_saved(string language, string viewport)
    {
        var size = viewport == "phone" ? Viewport.Phone : Viewport.Desktop;
        await using var ui = await browser.OpenAsync(size, language);
        var page = ui.Page;
        await ui.SignUpAsync();
        using var api = await ui.ApiAsync();
        var image = await GenerateAsync(api);
        // Made 30 days old in place: the server's clock is shared by every browser test.
        var monthAgo = browser.Server.Time.GetUtcNow().UtcDateTime.AddDays(-30);
        await browser.Server.QueryAsync(db => db.Images.Where(i => i.Id == image).ExecuteUpdateAsync(s => s.SetProperty(i => i.CreatedAt, monthAgo)));
        var stored = await browser.Server.QueryAsync(db => db.Images.Where(i => i.Id == image).Select(i => i.StoredBytes).SingleAsync());

        await ui.GoAsync("/account");
        var bar = page.GetByTestId("storage-bar");
        await Expect(bar).ToHaveAttributeAsync("data-level", "ok");
        await Expect(page.GetByTestId("storage-used")).ToContainTextAsync(language == "ko" ? "1GB 중" : "of 1 GB used");
        await Expect(page.GetByTestId("storage-images")).ToContainTextAsync(language == "ko" ? "1개" : "1 item");
        await Expect(page.GetByTestId("storage-trash")).ToContainTextAsync(language == "ko" ? "0개" : "0 items");
        var usage = JsonDocument.Parse(await api.GetStringAsync("/api/v1/me/storage")).RootElement;
        Assert.Equal(stored, usage.GetProperty("usedBytes").GetInt64());
        await bar.ScrollIntoViewIfNeededAsync();
        await ui.ScreenshotAsync("account-storage");

        var retention = page.GetByTestId("retention");
        await retention.GetByLabel(language == "ko" ? "오래된 이미지를 휴지통으로" : "Move old images to the trash").CheckAsync();
        await retention.Locator("#retention-days").FillAsync("7");
        var preview = page.GetByTestId("retention-preview");
        await Expect(preview).ToContainTextAsync(language == "ko" ? "이미지 1개" : "1 image");
        var thumbnail = preview.Locator("img");
        await Expect(thumbnail).ToHaveCountAsync(1);
        await Expect(thumbnail).ToHaveJSPropertyAsync("complete", true);
        await retention.Locator("#retention-days").FillAsync("60");
        await Expect(preview).ToContainTextAsync(language == "ko" ? "오래된 이미지가 없어요" : "no image is that old");
        await retention.Locator("#retention-days").FillAsync("7");
        await Expect(preview.Locator("img")).ToHaveCountAsync(1);
        await retention.ScrollIntoViewIfNeededAsync();
        await ui.ScreenshotAsync("account-retention-preview");

        var save = language == "ko" ? "규칙 저장" : "Save rule";
        await retention.GetByRole(AriaRole.Button, new() { Name = save }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync(language == "ko" ? "7일" : "7 days");
        await ui.ScreenshotAsync("account-retention-confirm");
        await dialog.GetByRole(AriaRole.Button, new() { Name = save }).ClickAsync();
        await Expect(retention.GetByRole(AriaRole.Status)).Not.ToBeEmptyAsync();
        Assert.Equal(7, JsonDocument.Parse(await api.GetStringAsync("/api/v1/me/retention")).RootElement.GetProperty("days").GetInt32());

        // Nothing sideways on a phone.
        var overflow = await page.EvaluateAsync<int>("w => document.documentElement.scrollWidth - w", size.Width);
        Assert.True(overflow <= 0, $"The account page scrolls sideways by {overflow} px.");
        ui.AssertNoErrors();
    }

    [Theory]
    [InlineData("en", "phone")]
    [InlineData("ko", "desktop")]
    public async Task Over_the_quota_the_generate_page_says_so_and_the_bar_warns(string language, string viewport)
    {
        var size = viewport == "phone" ? Viewport.Phone : Viewport.Desktop;
        await using var ui = await browser.OpenAsync(size, language);
        var page = ui.Page;
        await ui.SignUpAsync();
        using var api = await ui.ApiAsync();
        await GenerateAsync(api);
        var me = (await api.GetFromJsonAsync<MeBody>("/api/v1/me", Json.Options))!;

        // A downgrade to a quota below what is stored: nothing is deleted, nothing new is taken.
        var used = JsonDocument.Parse(await api.GetStringAsync("/api/v1/me/storage")).RootElement.GetProperty("usedBytes").GetInt64();
        var plan = $"tight-{Guid.NewGuid():N}";
        await browser.Server.QueryAsync(async db =>
        {
            db.Plans.Add(new Plan { Id = plan, Name = "Tight", Rank = 0, MonthlyCredits = 100, StorageBytes = used - 1, ConcurrentJobs = 1, QueuePriority = 2, MaxSide = 1024, MaxBatch = 1, Features = "generate" });
            return await db.SaveChangesAsync();
        });
        await browser.Server.SetPlanAsync(me.Id, plan);

        await ui.GoAsync("/generate");
        await page.Locator("#prompt").FillAsync(language == "ko" ? "바다 위의 등대" : "a lighthouse over the sea");
        var message = language == "ko" ? "저장 공간이 가득 찼어요" : "Your storage is full";
        await Expect(page.Locator("main")).ToContainTextAsync(message);
        await Expect(page.Locator("button.generate-button")).ToBeDisabledAsync();
        await ui.ScreenshotAsync("generate-over-quota");
        var refused = await api.PostAsJsonAsync("/api/v1/generations", new { prompt = "x", model = "sd-1.5", width = 64, height = 64, steps = 1 });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("storage_quota_exceeded", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());

        await ui.GoAsync("/account");
        await Expect(page.GetByTestId("storage-bar")).ToHaveAttributeAsync("data-level", "over");
        await Expect(page.GetByTestId("storage-over")).ToContainTextAsync(language == "ko" ? "용량 초과" : "Over quota");
        await page.GetByTestId("storage-bar").ScrollIntoViewIfNeededAsync();
        await ui.ScreenshotAsync("account-storage-over");
        ui.AssertNoErrors();
    }

    /// <summary>One small image through the API, waited for; returns its id.</summary>
    private static async Task<Guid> GenerateAsync(HttpClient api)
    {
        var response = await api.PostAsJsonAsync("/api/v1/generations", new { prompt = "a harbour at dawn", model = "sd-1.5", width = 256, height = 256, steps = 2 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<GenerationBody>(Json.Options))!.Id;
        GenerationBody? job = null;
        await Eventually.UntilAsync(async () =>
        {
            job = (await api.GetFromJsonAsync<GenerationBody>($"/api/v1/generations/{id}", Json.Options))!;
            return job.Status is "succeeded" or "failed" or "cancelled";
        }, TimeSpan.FromSeconds(60), "The generation did not finish.");
        Assert.Equal("succeeded", job!.Status);
        return job.Images.Single().Id;
    }
}
