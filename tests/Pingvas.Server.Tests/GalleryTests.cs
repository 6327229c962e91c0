using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests;

/// <summary>The gallery: newest-first paging, image metadata, content by token, and thumbnail sizes.</summary>
public sealed class GalleryTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task Paging_walks_every_image_newest_first_without_gaps_or_duplicates()
    {
        var user = await server.RegisterAsync();
        var made = new List<Guid>();
        for (var seed = 1; seed <= 5; seed++)
        {
            made.Add((await user.GenerateAsync(TestUser.Request(steps: 1, seed: seed))).Images.Single().Id);
        }

        var newestFirst = Enumerable.Reverse(made).ToList();
        var all = await user.Client.GetFromJsonAsync<PageBody<ImageBody>>("/api/v1/images", Json.Options);
        Assert.Equal(newestFirst, all!.Items.Select(i => i.Id));
        Assert.Null(all.NextCursor);
        Assert.True(all.Items.Zip(all.Items.Skip(1)).All(p => p.First.CreatedAt >= p.Second.CreatedAt));

        foreach (var limit in new[] { 1, 2, 3, 5 })
        {
            var pages = await PagesAsync<ImageBody>(user.Client, "/api/v1/images", limit);
            Assert.Equal(newestFirst, pages.SelectMany(p => p.Items).Select(i => i.Id));
            Assert.All(pages, p => Assert.InRange(p.Items.Count, 1, limit));
            Assert.Equal((5 + limit - 1) / limit, pages.Count);
        }
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=-5", "limit")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("cursor=zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "cursor")]
    public async Task Bad_paging_parameters_are_refused_on_every_list(string query, string field)
    {
        var user = await server.RegisterAsync();
        foreach (var list in new[] { "/api/v1/images", "/api/v1/generations", "/api/v1/credits/ledger" })
        {
            var problem = await AssertProblemAsync(await user.Client.GetAsync($"{list}?{query}"), HttpStatusCode.BadRequest, "validation_failed");
            Assert.True(problem["errors"]!.AsObject().ContainsKey(field), $"{list}?{query}: {problem.ToJsonString()}");
        }
    }

    [Theory]
    [InlineData("limit=abc")]
    [InlineData("limit=1.5")]
    [InlineData("limit=99999999999")]
    public async Task A_limit_that_is_not_a_number_is_a_validation_problem(string query)
    {
        var user = await server.RegisterAsync();
        await AssertProblemAsync(await user.Client.GetAsync($"/api/v1/images?{query}"), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task An_image_carries_the_engine_and_every_parameter()
    {
        var user = await server.RegisterAsync();
        var job = await user.GenerateAsync(new
        {
            prompt = "a red fox in snow",
            negativePrompt = "blurry",
            model = "sd-1.5",
            width = 96,
            height = 64,
            steps = 3,
            seed = 4242,
            cfgScale = 5.5,
            scheduler = "dpmpp_2m",
        });
        var image = await user.Client.GetFromJsonAsync<ImageBody>($"/api/v1/images/{job.Images.Single().Id}", Json.Options);

        Assert.Equal((job.Id, 0, 96, 64, 4242L, "sd-1.5", "a red fox in snow"),
            (image!.GenerationId, image.BatchIndex, image.Width, image.Height, image.Seed, image.Model, image.Prompt));
        Assert.True(image.StoredBytes > 0);
        var expected = new Dictionary<string, string>
        {
            ["engine"] = "procedural",
            ["prompt"] = "a red fox in snow",
            ["negativePrompt"] = "blurry",
            ["model"] = "sd-1.5",
            ["width"] = "96",
            ["height"] = "64",
            ["steps"] = "3",
            ["seed"] = "4242",
            ["cfgScale"] = "5.5",
            ["scheduler"] = "dpmpp_2m",
        };
        foreach (var (key, value) in expected)
        {
            Assert.True(image.Metadata.TryGetValue(key, out var actual), $"metadata has no '{key}'");
            Assert.Equal(value, actual);
        }

        Assert.StartsWith("development", image.Metadata["engineKind"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Content_is_served_to_the_owner_in_each_size()
    {
        var user = await server.RegisterAsync();
        var image = (await user.GenerateAsync(TestUser.Request(width: 128, height: 64, steps: 1))).Images.Single();
        var path = $"/api/v1/images/{image.Id}/content";

        foreach (var size in new[] { "", "?size=original" })
        {
            var response = await user.Client.GetAsync(path + size);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
            var png = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(PngSignature, png[..8]);
            Assert.Equal(await server.CreateClient().GetByteArrayAsync(image.Url), png);
        }

        foreach (var size in new[] { 256, 512 })
        {
            var response = await user.Client.GetAsync($"{path}?size={size}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("image/webp", response.Content.Headers.ContentType?.MediaType);
            var webp = await response.Content.ReadAsByteArrayAsync();
            Assert.True(WebPSize.IsWebP(webp));

            // A 128×64 image already fits: thumbnails keep its size, never upscaled.
            Assert.Equal((128, 64), WebPSize.Read(webp));
        }

        var bogus = await AssertProblemAsync(await user.Client.GetAsync($"{path}?size=bogus"), HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(bogus["errors"]!.AsObject().ContainsKey("size"));
        await AssertProblemAsync(await user.Client.GetAsync($"{path}?size=1024"), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Thumbnails_fit_the_long_side_and_keep_the_aspect_ratio()
    {
        var user = await server.RegisterAsync();
        var image = (await user.GenerateAsync(TestUser.Request(width: 640, height: 320, steps: 1))).Images.Single();
        using var anonymous = server.CreateClient();

        var thumb256 = await anonymous.GetByteArrayAsync(image.ThumbnailUrl);
        var thumb512 = await anonymous.GetByteArrayAsync(image.Thumbnail512Url);
        Assert.Equal((256, 128), WebPSize.Read(thumb256));
        Assert.Equal((512, 256), WebPSize.Read(thumb512));
        Assert.Equal(thumb256, await user.Client.GetByteArrayAsync($"/api/v1/images/{image.Id}/content?size=256"));
        Assert.Equal(thumb512, await user.Client.GetByteArrayAsync($"/api/v1/images/{image.Id}/content?size=512"));

        // The original is the full size: PNG IHDR width and height, big-endian at bytes 16..24.
        var png = await anonymous.GetByteArrayAsync(image.Url);
        Assert.Equal((640, 320), (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20))));
    }
}
