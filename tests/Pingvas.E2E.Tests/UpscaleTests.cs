using System.Net.Http.Json;

using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;
using Pingvas.Server.Tests.Infrastructure;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

/// <summary>Upscaling straight from the gallery: the gallery image itself is the job's input, no re-upload.</summary>
[Collection(BrowserCollection.Name)]
public sealed class UpscaleTests(BrowserFixture browser)
{
    [Fact]
    public async Task A_starter_user_upscales_a_gallery_image_to_twice_its_size()
    {
        await using var ui = await browser.OpenAsync(Viewport.Desktop);
        var page = ui.Page;
        using var api = await ui.SignUpOnPlanAsync("starter");
        var image = await ApiImages.GenerateAsync(api, "a harbour to enlarge", side: 256);

        await ui.GoAsync("/gallery");
        await page.Locator($"main a[href='/gallery/{image.Id}']").ClickAsync();
        await ui.SettledAsync();
        var twice = page.GetByRole(AriaRole.Button, new() { Name = "×2" });
        await Expect(twice).ToBeEnabledAsync();
        await Expect(twice).ToContainTextAsync("credit");
        await twice.ClickAsync();
        var result = page.Locator(".upscale .job-card .status-succeeded");
        await Expect(result).ToBeVisibleAsync(new() { Timeout = 60_000 });

        var job = (await api.GetFromJsonAsync<PageBody<UpscaleBody>>("/api/v1/generations?limit=1", Json.Options))!.Items.Single();
        Assert.Equal(("upscale", "succeeded", image.Id, 2), (job.Kind, job.Status, job.ImageId, job.Scale));
        Assert.Equal((512, 512), (job.Images[0].Width, job.Images[0].Height));
        // Nothing was copied into the user's uploads to make it.
        var uploads = await api.GetFromJsonAsync<PageBody<UploadBody>>("/api/v1/uploads", Json.Options);
        Assert.Empty(uploads!.Items);
        await ui.ScreenshotAsync("image-upscaled");
        ui.AssertNoErrors();
    }

    private sealed record UpscaleBody(Guid Id, string Kind, string Status, Guid? ImageId, int? Scale, List<ImageRefBody> Images);

    private sealed record UploadBody(Guid Id);
}
