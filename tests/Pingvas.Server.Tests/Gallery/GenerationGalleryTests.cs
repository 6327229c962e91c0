using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.Gallery;

/// <summary>
/// <c>POST /generations</c> <c>tags</c> (checked like any tags, stored on the job, given to every image
/// with its search text and negative prompt) and <c>sourceImageId</c> (the caller's gallery image whose
/// use count rises once per accepted submit).
/// </summary>
public sealed class GenerationGalleryTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task Tags_of_a_submit_reach_every_image_with_search_text_and_negative_prompt()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var job = await user.GenerateAsync(new
        {
            prompt = "붉은여우가 Snow",
            negativePrompt = "Blurry",
            model = "sd-1.5",
            width = 64,
            height = 64,
            steps = 1,
            batchSize = 2,
            tags = new[] { "Ｆｏｘ", "winter ", "fox" },
        });

        Assert.Equal("[\"fox\",\"winter\"]", await server.QueryAsync(db => db.Jobs.Where(j => j.Id == job.Id).Select(j => j.Tags).SingleAsync()));
        Assert.Equal(2, job.Images.Count);
        foreach (var image in job.Images)
        {
            var body = await user.ImageAsync(image.Id);
            Assert.Equal(["fox", "winter"], body.Tags);
            Assert.Equal("Blurry", body.NegativePrompt);
            Assert.Equal("붉은여우가 snow\nblurry\nfox\nwinter", await server.SearchTextAsync(image.Id));
        }

        Assert.Equal([new TagCountBody("fox", 2), new TagCountBody("winter", 2)], await user.TagsAsync());

        // Without tags: none, and the search text is the prompt alone.
        var plain = (await user.GenerateAsync(TestUser.Request(prompt: "Plain", steps: 1))).Images.Single();
        Assert.Empty((await user.ImageAsync(plain.Id)).Tags);
        Assert.Equal("plain", await server.SearchTextAsync(plain.Id));
    }

    [Fact]
    public async Task Invalid_tags_refuse_the_submit_before_anything_is_written()
    {
        var user = await server.RegisterAsync();
        var balance = (await user.MeAsync()).Credits.Balance;
        foreach (var tags in new[] { new[] { "" }, [new string('x', 41)], [.. Enumerable.Range(0, 21).Select(i => $"t{i}")] })
        {
            var response = await user.Client.PostAsJsonAsync("/api/v1/generations", new { prompt = "x", model = "sd-1.5", width = 64, height = 64, steps = 1, tags });
            var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
            Assert.NotNull(problem["errors"]?["tags"]);
        }

        Assert.Equal(0, await server.QueryAsync(db => db.Jobs.CountAsync(j => j.UserId == user.Id)));
        Assert.Equal(balance, (await user.MeAsync()).Credits.Balance);
    }

    [Fact]
    public async Task Source_image_use_counts_rise_once_per_accepted_submit_and_only_for_the_callers_images()
    {
        var user = await server.RegisterAsync();
        var other = await server.RegisterAsync();
        var source = (await user.ImagesAsync()).Single();
        var trashed = (await user.ImagesAsync()).Single();
        var theirs = (await other.ImagesAsync()).Single();
        Assert.Equal(0, (await user.ImageAsync(source)).UseCount);

        await user.GenerateAsync(new { prompt = "again", model = "sd-1.5", width = 64, height = 64, steps = 1, sourceImageId = source });
        Assert.Equal(1, (await user.ImageAsync(source)).UseCount);

        // A replay of the same submit is the same job: counted once.
        var request = new { prompt = "again", model = "sd-1.5", width = 64, height = 64, steps = 1, sourceImageId = source };
        foreach (var _ in new[] { 1, 2 })
        {
            var message = new HttpRequestMessage(HttpMethod.Post, "/api/v1/generations") { Content = JsonContent.Create(request) };
            message.Headers.Add("Idempotency-Key", $"use-again-{source}");
            Assert.Equal(HttpStatusCode.Accepted, (await user.Client.SendAsync(message)).StatusCode);
        }

        await server.WaitUntilIdleAsync();
        Assert.Equal(2, (await user.ImageAsync(source)).UseCount);

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/images/{trashed}")).StatusCode);
        var jobs = await server.QueryAsync(db => db.Jobs.CountAsync(j => j.UserId == user.Id));
        foreach (var id in new[] { theirs, trashed, Guid.CreateVersion7() })
        {
            var response = await user.Client.PostAsJsonAsync("/api/v1/generations", new { prompt = "x", model = "sd-1.5", width = 64, height = 64, steps = 1, sourceImageId = id });
            var problem = await AssertProblemAsync(response, HttpStatusCode.NotFound, "image_not_found");
            Assert.Equal("sourceImageId", (string?)problem["field"]);
        }

        Assert.Equal(jobs, await server.QueryAsync(db => db.Jobs.CountAsync(j => j.UserId == user.Id)));
        Assert.Equal(0, (await other.ImageAsync(theirs)).UseCount);
        Assert.Equal(0, await server.QueryAsync(db => db.Images.IgnoreQueryFilters().Where(i => i.Id == trashed).Select(i => i.UseCount).SingleAsync()));

        // A submit refused later (short of credits) rolls its count back.
        await server.QueryAsync(db => db.Lots.Where(l => l.UserId == user.Id).ExecuteUpdateAsync(s => s.SetProperty(l => l.Remaining, 0)));
        await AssertProblemAsync(
            await user.Client.PostAsJsonAsync("/api/v1/generations", new { prompt = "x", model = "sd-1.5", width = 64, height = 64, steps = 1, sourceImageId = source }),
            HttpStatusCode.PaymentRequired, "insufficient_credits");
        Assert.Equal(2, (await user.ImageAsync(source)).UseCount);
    }
}
