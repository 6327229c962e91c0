using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.Gallery;

public sealed record ImageModelCountBody(string Model, int Images);

public sealed record ImageModelsBody(List<ImageModelCountBody> Items);

/// <summary>
/// The gallery's model filter: <c>GET /images?model=</c> pages only that model's images, newest first,
/// with the cursor working inside the filter; <c>GET /images/models</c> counts the caller's images
/// per model, most first, and never another user's.
/// </summary>
public sealed class ImageModelFilterTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task The_filter_pages_one_models_images_and_the_models_list_counts_only_the_callers()
    {
        var user = await server.RegisterAsync();
        var other = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");

        // Interleaved, so a filtered page must skip the other model's images between its own.
        var sd = new List<Guid>();
        var sdxl = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            sd.AddRange((await user.GenerateAsync(TestUser.Request(steps: 1, seed: i, batchSize: 2))).Images.OrderBy(x => x.Id).Select(x => x.Id));
            if (i < 2)
            {
                sdxl.Add((await user.GenerateAsync(TestUser.Request(model: "sdxl-1.0", steps: 1, seed: i))).Images.Single().Id);
            }
        }

        // The other user's sd-1.5 images count for nobody else.
        for (var i = 0; i < 3; i++)
        {
            await other.GenerateAsync(TestUser.Request(steps: 1, seed: 10 + i));
        }

        foreach (var limit in new[] { 1, 2, 4, 100 })
        {
            var pages = await PagesAsync<ImageBody>(user.Client, "/api/v1/images?model=sd-1.5", limit);
            Assert.Equal(Enumerable.Reverse(sd), pages.SelectMany(p => p.Items).Select(i => i.Id));
            Assert.All(pages.SelectMany(p => p.Items), i => Assert.Equal("sd-1.5", i.Model));
            Assert.Equal((sd.Count + limit - 1) / limit, pages.Count);
        }

        Assert.Equal(Enumerable.Reverse(sdxl), (await AllAsync<ImageBody>(user.Client, "/api/v1/images?model=sdxl-1.0", 1)).Select(i => i.Id));

        // Absent or empty: everything, as before. A model without images (or unknown): nothing.
        Assert.Equal(sd.Count + sdxl.Count, (await AllAsync<ImageBody>(user.Client, "/api/v1/images")).Count);
        Assert.Equal(sd.Count + sdxl.Count, (await AllAsync<ImageBody>(user.Client, "/api/v1/images?model=")).Count);
        Assert.Empty(await AllAsync<ImageBody>(user.Client, "/api/v1/images?model=flux-dev"));
        Assert.Empty(await AllAsync<ImageBody>(user.Client, "/api/v1/images?model=SD-1.5"));

        var models = (await user.Client.GetFromJsonAsync<ImageModelsBody>("/api/v1/images/models", Json.Options))!;
        Assert.Equal([new ImageModelCountBody("sd-1.5", 6), new ImageModelCountBody("sdxl-1.0", 2)], models.Items);
        var others = (await other.Client.GetFromJsonAsync<ImageModelsBody>("/api/v1/images/models", Json.Options))!;
        Assert.Equal([new ImageModelCountBody("sd-1.5", 3)], others.Items);

        // Deleting an image is seen in the counts at once.
        await user.Client.DeleteAsync($"/api/v1/images/{sdxl[0]}");
        await user.Client.DeleteAsync($"/api/v1/images/{sdxl[1]}");
        models = (await user.Client.GetFromJsonAsync<ImageModelsBody>("/api/v1/images/models", Json.Options))!;
        Assert.Equal([new ImageModelCountBody("sd-1.5", 6)], models.Items);
    }

    [Fact]
    public async Task A_new_user_has_no_models()
    {
        var user = await server.RegisterAsync();
        Assert.Empty((await user.Client.GetFromJsonAsync<ImageModelsBody>("/api/v1/images/models", Json.Options))!.Items);
    }

    [Fact]
    public async Task A_bad_cursor_under_the_filter_is_a_validation_problem()
    {
        var user = await server.RegisterAsync();
        var problem = await AssertProblemAsync(await user.Client.GetAsync("/api/v1/images?model=sd-1.5&cursor=nope"), System.Net.HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(problem["errors"]?["cursor"]);
    }
}
