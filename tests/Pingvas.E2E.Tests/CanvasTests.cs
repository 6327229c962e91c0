using System.Net.Http.Json;

using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;
using Pingvas.Server.Tests.Infrastructure;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

/// <summary>Inpainting in the browser: a mask painted with the brush becomes the job's mask image.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CanvasTests(BrowserFixture browser)
{
    [Fact]
    public async Task A_starter_user_paints_a_mask_over_an_image_and_inpaints_it()
    {
        await using var ui = await browser.OpenAsync(Viewport.Desktop);
        var page = ui.Page;
        using var api = await ui.SignUpOnPlanAsync("starter");

        // The picture to paint on: one of the user's own images, saved to disk as a user would.
        var source = await MakeImageFileAsync(api);
        await ui.GoAsync("/canvas");
        await page.Locator("main input[type=file]").SetInputFilesAsync(source);
        var canvas = page.GetByLabel("Mask painting area");
        await Expect(canvas).ToBeVisibleAsync();
        await page.GetByLabel("Prompt").FillAsync("a red door");

        var inpaint = page.Locator("main button.generate-button");
        await Expect(inpaint).ToBeDisabledAsync(); // nothing painted yet
        // The mouse works in the viewport: bring the canvas into it first.
        await canvas.ScrollIntoViewIfNeededAsync();
        var box = (await canvas.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + box.Width * 0.3f, box.Y + box.Height * 0.5f);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + box.Width * 0.7f, box.Y + box.Height * 0.5f, new() { Steps = 12 });
        await page.Mouse.UpAsync();
        await ui.ScreenshotAsync("canvas-painted");
        await Expect(inpaint).ToBeEnabledAsync();
        await inpaint.ClickAsync();
        await Expect(page.Locator(".job-card .status-succeeded")).ToBeVisibleAsync(new() { Timeout = 60_000 });

        var job = (await api.GetFromJsonAsync<PageBody<InpaintBody>>("/api/v1/generations?limit=1", Json.Options))!.Items.Single();
        Assert.Equal("inpaint", job.Kind);
        Assert.Equal("succeeded", job.Status);
        // The mask that reached the server is white along the stroke and black elsewhere.
        var (white, total) = await MaskCoverageAsync(page, ui, job.MaskImageId!.Value);
        Assert.InRange((double)white / total, 0.01, 0.6);
        ui.AssertNoErrors();
    }

    private static async Task<FilePayload> MakeImageFileAsync(HttpClient api)
    {
        var image = await ApiImages.GenerateAsync(api, side: 256);
        using var content = await api.GetAsync($"/api/v1/images/{image.Id}/content");
        content.EnsureSuccessStatusCode();
        var type = content.Content.Headers.ContentType!.MediaType!;
        return new FilePayload { Name = "my-picture." + type.Split('/')[1], MimeType = type, Buffer = await content.Content.ReadAsByteArrayAsync() };
    }

    /// <summary>The uploaded mask decoded by the browser itself: how many of its pixels are white.</summary>
    private static async Task<(int White, int Total)> MaskCoverageAsync(IPage page, UiPage ui, Guid maskId)
    {
        using var api = await ui.ApiAsync();
        var bytes = await api.GetByteArrayAsync($"/api/v1/uploads/{maskId}/content");
        var counts = await page.EvaluateAsync<int[]>("""
            async (base64) => {
              const blob = await (await fetch('data:image/png;base64,' + base64)).blob();
              const bitmap = await createImageBitmap(blob);
              const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
              const context = canvas.getContext('2d');
              context.drawImage(bitmap, 0, 0);
              const data = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
              let white = 0;
              for (let i = 0; i < data.length; i += 4) if (data[i] > 200) white++;
              return [white, bitmap.width * bitmap.height];
            }
            """, Convert.ToBase64String(bytes));
        return (counts[0], counts[1]);
    }

    private sealed record InpaintBody(Guid Id, string Kind, string Status, Guid? MaskImageId);
}
