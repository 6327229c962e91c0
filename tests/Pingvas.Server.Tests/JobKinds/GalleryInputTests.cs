using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Engines.Imaging;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Tests.Uploads;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.JobKinds;

/// <summary>
/// Gallery images as job inputs: <c>initImageId</c>, <c>maskImageId</c> and <c>imageId</c> take the
/// <c>id</c> of one of the caller's gallery images as well as an upload's. The stored original reaches
/// the engine (img2img at strength 0 gives its pixels back, inpaint keeps them outside the mask,
/// upscale doubles its size); another user's image is refused like an unknown id, on submit and
/// estimate alike; a gallery image a waiting job needs cannot be deleted.
/// </summary>
public sealed class GalleryInputTests(GalleryInputTests.Fixture fixture) : IClassFixture<GalleryInputTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;

    /// <summary>Steps take a moment, so a job can be caught waiting behind another.</summary>
    public sealed class Fixture() : ServerFixture(new TestSettings { StepDelayMs = 20 });

    public sealed record EstimateBody(int? Credits, bool Allowed, JsonElement? Problem);

    [Fact]
    public async Task Img2img_from_a_gallery_image_starts_from_its_stored_pixels()
    {
        var user = await server.RegisterAsync();
        var source = await GalleryImageAsync(user, 64, 80);
        var pixels = await OriginalAsync(user, source);

        // Strength 0 keeps the init image: the result is the gallery image, pixel for pixel, at its size.
        var kept = await user.GenerateAsync(new { prompt = "a fox", model = "sd-1.5", initImageId = source.Id, strength = 0.0, steps = 2 });
        var job = await user.KindGenerationAsync(kept.Id);
        Assert.Equal(("img2img", source.Id, 64, 80), (job.Kind, job.InitImageId!.Value, job.Width, job.Height));
        Assert.Equal(pixels.Pixels, (await user.ResultPixelsAsync(kept)).Pixels);

        // "Use again" with a little change moves away from it.
        var moved = await user.GenerateAsync(new { prompt = "a fox", model = "sd-1.5", initImageId = source.Id, strength = 0.7, steps = 2 });
        Assert.NotEqual(pixels.Pixels, (await user.ResultPixelsAsync(moved)).Pixels);
    }

    [Fact]
    public async Task Inpaint_of_a_gallery_image_keeps_its_pixels_outside_the_mask()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var source = await GalleryImageAsync(user, 64, 72);
        var pixels = await OriginalAsync(user, source);
        var mask = await user.UploadAsync(PngEncoder.Encode(UploadKit.LeftHalfMask(64, 72)));

        var done = await user.GenerateAsync(new { prompt = "a moon", model = "sd-1.5", initImageId = source.Id, maskImageId = mask.Id, steps = 3 });
        var job = await user.KindGenerationAsync(done.Id);
        Assert.Equal(("inpaint", source.Id, mask.Id), (job.Kind, job.InitImageId!.Value, job.MaskImageId!.Value));
        var result = await user.ResultPixelsAsync(done);
        Assert.Equal((64, 72), (result.Width, result.Height));
        var changed = 0;
        for (var y = 0; y < 72; y++)
        {
            for (var x = 0; x < 64; x++)
            {
                var o = ((y * 64) + x) * 4;
                var same = result.Pixels.AsSpan(o, 4).SequenceEqual(pixels.Pixels.AsSpan(o, 4));
                Assert.True(x < 32 || same, $"unmasked pixel ({x},{y}) changed");
                changed += x < 32 && !same ? 1 : 0;
            }
        }

        Assert.True(changed > 32 * 72 / 2, $"only {changed} masked pixels changed");

        // A gallery image may be the mask too (white = repaint): here the result of an earlier job.
        var maskImage = await GalleryFromUploadAsync(user, mask.Id, 64, 72);
        var again = await user.GenerateAsync(new { prompt = "a moon", model = "sd-1.5", initImageId = source.Id, maskImageId = maskImage.Id, steps = 2 });
        Assert.Equal(maskImage.Id, (await user.KindGenerationAsync(again.Id)).MaskImageId);
    }

    [Fact]
    public async Task Upscaling_a_gallery_image_doubles_it_and_the_estimate_prices_it_the_same()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var source = await GalleryImageAsync(user, 96, 64);
        var request = new { kind = "upscale", imageId = source.Id, scale = 2, model = "sd-1.5" };

        var estimate = await EstimateAsync(user, request);
        Assert.True(estimate.Allowed, estimate.Problem?.ToString());
        var submitted = await user.SubmitAsync(request);
        Assert.Equal(estimate.Credits, submitted.ReservedCredits);
        var done = await user.WaitForAsync(submitted.Id);
        Assert.Equal("succeeded", done.Status);

        var job = await user.KindGenerationAsync(done.Id);
        Assert.Equal(("upscale", source.Id, 2, 192, 128), (job.Kind, job.ImageId!.Value, job.Scale!.Value, job.Width, job.Height));
        var result = await user.ResultPixelsAsync(done);
        Assert.Equal((192, 128), (result.Width, result.Height));
    }

    [Fact]
    public async Task Another_users_gallery_image_is_an_invalid_image_reference_like_an_unknown_id_on_submit_and_estimate()
    {
        var alice = await server.RegisterAsync();
        var bob = await server.RegisterAsync();
        await server.SetPlanAsync(bob.Id, "starter");
        var alices = await GalleryImageAsync(alice, 64, 64);
        var bobs = await GalleryImageAsync(bob, 64, 64);
        var missing = Guid.CreateVersion7();

        foreach (var (field, make) in new (string, Func<Guid, object>)[]
        {
            ("initImageId", id => new { prompt = "x", model = "sd-1.5", initImageId = id }),
            ("initImageId", id => new { prompt = "x", model = "sd-1.5", initImageId = id, maskImageId = bobs.Id }),
            ("maskImageId", id => new { prompt = "x", model = "sd-1.5", initImageId = bobs.Id, maskImageId = id }),
            ("imageId", id => new { kind = "upscale", model = "sd-1.5", imageId = id, scale = 2 }),
        })
        {
            var expected = await AssertProblemAsync(await bob.Client.PostAsJsonAsync("/api/v1/generations", make(missing)), HttpStatusCode.BadRequest, "invalid_image_reference");
            var actual = await AssertProblemAsync(await bob.Client.PostAsJsonAsync("/api/v1/generations", make(alices.Id)), HttpStatusCode.BadRequest, "invalid_image_reference");
            Assert.Equal(field, (string?)actual["field"]);
            Assert.Equal(expected.ToJsonString(), actual.ToJsonString());

            var estimate = await EstimateAsync(bob, make(alices.Id));
            Assert.False(estimate.Allowed);
            Assert.Null(estimate.Credits);
            Assert.Equal("invalid_image_reference", estimate.Problem!.Value.GetProperty("code").GetString());
            Assert.Equal(field, estimate.Problem!.Value.GetProperty("field").GetString());

            // Bob's own gallery image in the same place is fine.
            Assert.True((await EstimateAsync(bob, make(bobs.Id))).Allowed);
        }

        Assert.Equal(0, await server.QueryAsync(db => db.Jobs.CountAsync(j => j.UserId == bob.Id && j.Kind != Pingvas.Server.Jobs.JobKind.Txt2Img)));
    }

    [Fact]
    public async Task A_gallery_image_trashed_while_a_job_waits_for_it_still_feeds_the_job_and_cannot_be_purged_until_it_ends()
    {
        var user = await server.RegisterAsync();
        var source = await GalleryImageAsync(user, 64, 64);

        // Free: one job at a time, so the img2img waits behind the long one.
        var running = await user.SubmitAsync(TestUser.Request(width: 512, height: 512, steps: 150));
        var queued = await user.SubmitAsync(new { prompt = "x", model = "sd-1.5", initImageId = source.Id, steps = 1 });
        Assert.Equal("queued", (await user.GetAsync(queued.Id)).Status);
        // To the trash: hidden, but its objects stay for the waiting job; purging it now is refused.
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/images/{source.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await user.Client.GetAsync($"/api/v1/images/{source.Id}")).StatusCode);
        await AssertProblemAsync(await user.Client.DeleteAsync($"/api/v1/images/{source.Id}?permanent=true"), HttpStatusCode.Conflict, "image_in_use");

        await user.Client.PostAsync($"/api/v1/generations/{running.Id}/cancel", null);
        Assert.Equal("succeeded", (await user.WaitForAsync(queued.Id)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/images/{source.Id}?permanent=true")).StatusCode);
        Assert.Equal(source.Id, (await user.KindGenerationAsync(queued.Id)).InitImageId);

        // Gone now: using it again is an invalid reference.
        await AssertProblemAsync(
            await user.Client.PostAsJsonAsync("/api/v1/generations", new { prompt = "x", model = "sd-1.5", initImageId = source.Id }), HttpStatusCode.BadRequest, "invalid_image_reference");
    }

    [Fact]
    public async Task The_idempotency_hash_covers_a_gallery_image_id()
    {
        var user = await server.RegisterAsync();
        var first = await GalleryImageAsync(user, 64, 64, seed: 1);
        var second = await GalleryImageAsync(user, 64, 64, seed: 2);
        async Task<HttpResponseMessage> Submit(Guid imageId)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/generations")
            {
                Content = JsonContent.Create(new { prompt = "x", model = "sd-1.5", initImageId = imageId, strength = 0.5, steps = 1 }),
            };
            request.Headers.Add("Idempotency-Key", "gallery-input-1");
            return await user.Client.SendAsync(request);
        }

        var submitted = await Submit(first.Id);
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var replay = await Submit(first.Id);
        Assert.Equal((await submitted.Content.ReadFromJsonAsync<GenerationBody>(Json.Options))!.Id, (await replay.Content.ReadFromJsonAsync<GenerationBody>(Json.Options))!.Id);
        await AssertProblemAsync(await Submit(second.Id), HttpStatusCode.Conflict, "idempotency_key_reused");
        await server.WaitUntilIdleAsync();
    }

    /// <summary>A finished txt2img's image: a gallery image of the given size.</summary>
    private static async Task<ImageRefBody> GalleryImageAsync(TestUser user, int width, int height, int seed = 5) =>
        (await user.GenerateAsync(TestUser.Request(width: width, height: height, steps: 1, seed: seed))).Images.Single();

    /// <summary>An upload's pixels turned into a gallery image: img2img at strength 0 copies them.</summary>
    private static async Task<ImageRefBody> GalleryFromUploadAsync(TestUser user, Guid uploadId, int width, int height) =>
        (await user.GenerateAsync(new { prompt = "x", model = "sd-1.5", initImageId = uploadId, strength = 0.0, steps = 1, width, height })).Images.Single();

    private static async Task<RgbaImage> OriginalAsync(TestUser user, ImageRefBody image) =>
        ImageDecoder.Decode(await user.Client.GetByteArrayAsync($"/api/v1/images/{image.Id}/content"));

    private static async Task<EstimateBody> EstimateAsync(TestUser user, object request)
    {
        var response = await user.Client.PostAsJsonAsync("/api/v1/generations/estimate", request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<EstimateBody>(Json.Options))!;
    }
}
