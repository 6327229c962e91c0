using System.Net;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Web;

/// <summary>
/// The server hosts the built web app (issue 9 item 2): index.html at / and at every client route
/// (no-cache), hashed assets cached for a year, and the server's own paths untouched.
/// </summary>
public sealed class WebAppHostingTests(WebAppHostingTests.Fixture fixture) : IClassFixture<WebAppHostingTests.Fixture>
{
    private const string Index = "<!doctype html><title>pingvas test app</title><script type=\"module\" src=\"/assets/index-Ab12Cd34.js\"></script>";
    private const string Script = "console.log('pingvas');";

    private readonly PingvasServer server = fixture.Server;

    /// <summary>A web root of its own (Web:Root), so the test does not depend on the npm build.</summary>
    public sealed class Fixture() : ServerFixture(new TestSettings().With("Web:Root", Root)), IAsyncLifetime
    {
        public static readonly string Root = CreateRoot();

        private static string CreateRoot()
        {
            var root = Path.Combine(Path.GetTempPath(), $"pingvas-web-{Guid.NewGuid():N}");
            Directory.CreateDirectory(Path.Combine(root, "assets"));
            File.WriteAllText(Path.Combine(root, "index.html"), Index);
            File.WriteAllText(Path.Combine(root, "assets", "index-Ab12Cd34.js"), Script);
            return root;
        }

        // Re-implemented (the base's is not virtual): the server stops first, then its web root goes.
        public new async Task DisposeAsync()
        {
            await base.DisposeAsync();
            Directory.Delete(Root, recursive: true);
        }
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/gallery")]
    [InlineData("/gallery/0194b4b0-0000-7000-8000-000000000001")]
    [InlineData("/generate?next=%2Fqueue")]
    public async Task Every_page_path_is_the_app_and_is_revalidated(string path)
    {
        using var client = server.CreateClient();
        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoCache, response.Headers.CacheControl?.ToString());
        Assert.Equal(Index, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_hashed_asset_is_cached_for_a_year_as_immutable()
    {
        using var client = server.CreateClient();
        var response = await client.GetAsync("/assets/index-Ab12Cd34.js");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Script, await response.Content.ReadAsStringAsync());
        Assert.Equal("public, max-age=31536000, immutable", string.Join(", ", response.Headers.GetValues("Cache-Control")));
    }

    [Theory]
    [InlineData("/api/v1/no-such-thing")]
    [InlineData("/api/v1/generations/0194b4b0-0000-7000-8000-000000000001/nothing")]
    [InlineData("/hubs/nothing")]
    [InlineData("/openapi/nothing")]
    [InlineData("/assets/index-missing.js")]
    public async Task A_missing_server_path_or_asset_is_a_json_404_problem_not_the_app(string path)
    {
        using var client = server.CreateClient();
        var response = await client.GetAsync(path);
        await ProblemAssert.ReadAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task The_api_health_and_openapi_still_answer_themselves()
    {
        using var client = server.CreateClient();
        Assert.Equal("Healthy", await client.GetStringAsync("/health/live"));
        Assert.Contains("\"openapi\"", await client.GetStringAsync("/openapi/v1.json"));
        // A known API path with another method stays a 405, not the app's page.
        var wrongMethod = await client.GetAsync("/api/v1/generations/estimate");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("application/problem+json", wrongMethod.Content.Headers.ContentType?.MediaType);
    }
}
