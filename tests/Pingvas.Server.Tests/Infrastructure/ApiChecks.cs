using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>Helpers for problem responses, paged lists and finished generations.</summary>
public static class ApiChecks
{
    public static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a];

    /// <summary>Asserts a problem+json answer with the status and code, and returns its body without the per-request traceId.</summary>
    public static async Task<JsonObject> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(code, (string?)body["code"]);
        Assert.Equal((int)status, (int?)body["status"]);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        body.Remove("traceId");
        return body;
    }

    /// <summary>Walks a paged list with the given page size; returns every page in order.</summary>
    public static async Task<List<PageBody<T>>> PagesAsync<T>(HttpClient client, string path, int limit)
    {
        var pages = new List<PageBody<T>>();
        string? cursor = null;
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        do
        {
            var url = $"{path}{separator}limit={limit}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = (await client.GetFromJsonAsync<PageBody<T>>(url, Json.Options))!;
            pages.Add(page);
            cursor = page.NextCursor;
            Assert.True(pages.Count < 1000, "The paging never ends.");
        }
        while (cursor is not null);
        return pages;
    }

    public static async Task<List<T>> AllAsync<T>(HttpClient client, string path, int limit = 100) =>
        [.. (await PagesAsync<T>(client, path, limit)).SelectMany(p => p.Items)];

    /// <summary>Submits and waits until the generation succeeds.</summary>
    public static async Task<GenerationBody> GenerateAsync(this TestUser user, object request)
    {
        var submitted = await user.SubmitAsync(request);
        var done = await user.WaitForAsync(submitted.Id);
        Assert.True(done.Status == "succeeded", $"Generation {done.Id} ended {done.Status}: {done.Error?.Code} {done.Error?.Message}");
        return done;
    }

    /// <summary>The stored objects of an image under the data folder (original and both thumbnails).</summary>
    public static string[] ObjectFiles(PingvasServer server, Guid userId, Guid imageId)
    {
        var folder = Path.Combine(server.DataPath, "objects", "users", userId.ToString("N"), "images");
        return [.. new[] { ".png", "_256.webp", "_512.webp" }.Select(suffix => Path.Combine(folder, imageId.ToString("N") + suffix))];
    }
}
