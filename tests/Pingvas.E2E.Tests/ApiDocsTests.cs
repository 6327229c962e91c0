using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

/// <summary>
/// The API reference at /docs (issue 13 item 6) in the browser: Swagger UI from the server's own
/// embedded files (no CDN: any request leaving the server fails the test), reading /openapi/v1.json,
/// showing the getting-started guide and the operations with their ids.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ApiDocsTests(BrowserFixture browser)
{
    [Fact]
    public async Task Docs_show_the_guide_and_the_operations_from_the_served_document()
    {
        await using var ui = await browser.OpenAsync(Viewport.Desktop);
        var page = ui.Page;
        var server = browser.Server.BaseAddress;
        var outside = new List<string>();
        page.Request += (_, request) =>
        {
            if (Uri.TryCreate(request.Url, UriKind.Absolute, out var url) && url.Scheme.StartsWith("http", StringComparison.Ordinal) && url.Authority != server.Authority)
            {
                outside.Add(request.Url);
            }
        };

        var document = page.WaitForResponseAsync(r => r.Url.EndsWith("/openapi/v1.json", StringComparison.Ordinal));
        await page.GotoAsync("/docs");
        Assert.Equal(200, (await document).Status);

        await Expect(page.Locator(".swagger-ui .info .title")).ToContainTextAsync("Pingvas Studio API");
        await Expect(page.Locator(".swagger-ui .info")).ToContainTextAsync("Getting started");
        await Expect(page.Locator(".swagger-ui .info")).ToContainTextAsync("Create an API key");

        // Operation ids are displayed (DisplayOperationId): the SDKs' names are findable on the page.
        var submit = page.Locator(".opblock", new() { HasText = "createGeneration" });
        await Expect(submit).ToHaveCountAsync(1);
        await submit.Locator(".opblock-summary").ClickAsync();
        await Expect(submit).ToContainTextAsync("/api/v1/generations");
        await Expect(submit).ToContainTextAsync("api_quota_exceeded");
        await Expect(page.Locator(".opblock", new() { HasText = "streamGenerationEvents" })).ToHaveCountAsync(1);
        Assert.Empty(outside);
    }
}
