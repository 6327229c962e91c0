using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Engines.Imaging;
using Pingvas.Server.Jobs;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Tests.Uploads;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.JobKinds;

/// <summary>
/// img2img, inpaint and upscale through the API on the procedural engine: the input uploads reach
/// the engine, the results are what each kind promises (decoded from the stored PNGs), and the
/// plan gates hold.
/// </summary>
public sealed class JobKindTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task Img2img_from_an_upload_succeeds_at_the_init_size_and_shows_its_inputs()
    {
        var user = await server.RegisterAsync();
        var upload = await user.UploadAsync(UploadKit.Png(100, 66));
        var done = await user.GenerateAsync(new { prompt = "a fox", model = "sd-1.5", initImageId = upload.Id, strength = 0.5, steps = 4, seed = 3 });
        var job = await user.KindGenerationAsync(done.Id);

        // The output size is the init image's, sides down to a multiple of 8.
        Assert.Equal(("img2img", 96, 64, upload.Id, 0.5), (job.Kind, job.Width, job.Height, job.InitImageId!.Value, job.Strength!.Value));
        Assert.Null(job.MaskImageId);
        Assert.Null(job.ImageId);
        Assert.Null(job.Scale);
        var result = await user.ResultPixelsAsync(done);
        Assert.Equal((96, 64), (result.Width, result.Height));
    }

    [Fact]
    public async Task Img2img_at_strength_0_returns_the_init_pixels_so_the_engine_really_started_from_the_upload()
    {
        var user = await server.RegisterAsync();
        var init = UploadKit.Noise(64, 80, seed: 9);
        var upload = await user.UploadAsync(PngEncoder.Encode(init));
        var done = await user.GenerateAsync(new { prompt = "a fox", model = "sd-1.5", kind = "img2img", initImageId = upload.Id, strength = 0.0, steps = 3 });
        Assert.Equal(init.Pixels, (await user.ResultPixelsAsync(done)).Pixels);

        // And moves away from it with strength.
        var moved = await user.GenerateAsync(new { prompt = "a fox", model = "sd-1.5", initImageId = upload.Id, strength = 0.8, steps = 3 });
        Assert.NotEqual(init.Pixels, (await user.ResultPixelsAsync(moved)).Pixels);
    }

    [Fact]
    public async Task Inpaint_changes_the_masked_half_and_keeps_every_unmasked_pixel()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var init = UploadKit.Noise(64, 72, seed: 4);
        var initUpload = await user.UploadAsync(PngEncoder.Encode(init));
        var maskUpload = await user.UploadAsync(PngEncoder.Encode(UploadKit.LeftHalfMask(64, 72)));

        var done = await user.GenerateAsync(new { prompt = "a moon", model = "sd-1.5", initImageId = initUpload.Id, maskImageId = maskUpload.Id, steps = 4 });
        var job = await user.KindGenerationAsync(done.Id);
        Assert.Equal(("inpaint", initUpload.Id, maskUpload.Id, 1.0), (job.Kind, job.InitImageId!.Value, job.MaskImageId!.Value, job.Strength!.Value));

        var result = await user.ResultPixelsAsync(done);
        var changed = 0;
        for (var y = 0; y < 72; y++)
        {
            for (var x = 0; x < 64; x++)
            {
                var o = ((y * 64) + x) * 4;
                var same = result.Pixels.AsSpan(o, 4).SequenceEqual(init.Pixels.AsSpan(o, 4));
                if (x >= 32)
                {
                    Assert.True(same, $"unmasked pixel ({x},{y}) changed");
                }
                else if (!same)
                {
                    changed++;
                }
            }
        }

        Assert.True(changed > 32 * 72 / 2, $"only {changed} masked pixels changed");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Upscale_multiplies_the_upload_size_by_the_scale(int scale)
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var upload = await user.UploadAsync(UploadKit.Png(50, 30));

        var done = await user.GenerateAsync(new { kind = "upscale", model = "sd-1.5", imageId = upload.Id, scale });
        var job = await user.KindGenerationAsync(done.Id);
        Assert.Equal(("upscale", upload.Id, scale, 50 * scale, 30 * scale), (job.Kind, job.ImageId!.Value, job.Scale!.Value, job.Width, job.Height));
        Assert.Null(job.InitImageId);
        var result = await user.ResultPixelsAsync(done);
        Assert.Equal((50 * scale, 30 * scale), (result.Width, result.Height));
    }

    [Fact]
    public async Task A_free_user_may_use_img2img_but_not_inpaint_or_upscale_and_nothing_is_written()
    {
        var user = await server.RegisterAsync();
        var upload = await user.UploadAsync(UploadKit.Png(64, 64));
        var mask = await user.UploadAsync(PngEncoder.Encode(UploadKit.LeftHalfMask(64, 64)));
        var balance = (await user.MeAsync()).Credits.Balance;

        foreach (var (request, feature) in new (object, string)[]
        {
            (new { prompt = "x", model = "sd-1.5", initImageId = upload.Id, maskImageId = mask.Id }, "canvas"),
            (new { prompt = "x", model = "sd-1.5", kind = "inpaint", initImageId = upload.Id, maskImageId = mask.Id, strength = 0.5 }, "canvas"),
            (new { model = "sd-1.5", kind = "upscale", imageId = upload.Id, scale = 2 }, "upscale"),
        })
        {
            var problem = await AssertProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/generations", request), HttpStatusCode.Forbidden, "plan_forbids_feature");
            Assert.Equal(feature, (string?)problem["feature"]);
            Assert.Contains($"'{feature}'", (string?)problem["detail"], StringComparison.Ordinal);
        }

        Assert.Equal(0, await server.QueryAsync(db => db.Jobs.CountAsync(j => j.UserId == user.Id)));
        Assert.Equal(balance, (await user.MeAsync()).Credits.Balance);
        await user.GenerateAsync(new { prompt = "x", model = "sd-1.5", initImageId = upload.Id, steps = 1 });
    }

    [Fact]
    public async Task Img2img_reserves_the_steps_times_strength_and_upscale_the_output_megapixels()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var upload = await user.UploadAsync(UploadKit.Png(512, 512));

        // sd-1.5: 0.5 s + 0.4 s per step-megapixel. 40 steps at strength 0.5 cost what 20 steps do.
        var img2img = await user.SubmitAsync(new { prompt = "x", model = "sd-1.5", initImageId = upload.Id, strength = 0.5, steps = 40 });
        var txt2img = await user.SubmitAsync(new { prompt = "x", model = "sd-1.5", width = 512, height = 512, steps = 20 });
        var full = await user.SubmitAsync(new { prompt = "x", model = "sd-1.5", width = 512, height = 512, steps = 40 });
        Assert.Equal(txt2img.ReservedCredits, img2img.ReservedCredits);
        Assert.True(img2img.ReservedCredits < full.ReservedCredits, $"{img2img.ReservedCredits} vs {full.ReservedCredits}");

        // ×2 of 512² is 1.048576 MP: 0.5 + 2 × 1.048576 = 2.6 → 3 credits.
        var upscale = await user.SubmitAsync(new { kind = "upscale", model = "sd-1.5", imageId = upload.Id, scale = 2 });
        Assert.Equal(3, upscale.ReservedCredits);
        foreach (var id in new[] { img2img.Id, txt2img.Id, full.Id, upscale.Id })
        {
            await user.Client.PostAsync($"/api/v1/generations/{id}/cancel", null);
        }

        await server.WaitUntilIdleAsync();
    }

    [Fact]
    public async Task The_idempotency_hash_covers_the_kind_fields()
    {
        var user = await server.RegisterAsync();
        var upload = await user.UploadAsync(UploadKit.Png(64, 64));
        async Task<HttpResponseMessage> Submit(object body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/generations") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", "kinds-1");
            return await user.Client.SendAsync(request);
        }

        var first = await Submit(new { prompt = "x", model = "sd-1.5", initImageId = upload.Id, strength = 0.5, steps = 1 });
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var replay = await Submit(new { prompt = "x", model = "sd-1.5", initImageId = upload.Id, strength = 0.5, steps = 1 });
        Assert.Equal((await first.Content.ReadFromJsonAsync<GenerationBody>(Json.Options))!.Id, (await replay.Content.ReadFromJsonAsync<GenerationBody>(Json.Options))!.Id);
        await AssertProblemAsync(await Submit(new { prompt = "x", model = "sd-1.5", initImageId = upload.Id, strength = 0.6, steps = 1 }), HttpStatusCode.Conflict, "idempotency_key_reused");
        await server.WaitUntilIdleAsync();
    }

    [Fact]
    public async Task Input_images_of_another_user_are_invalid_image_references_like_missing_ones()
    {
        var alice = await server.RegisterAsync();
        var bob = await server.RegisterAsync();
        await server.SetPlanAsync(bob.Id, "starter");
        var alices = await alice.UploadAsync(UploadKit.Png(64, 64));
        var bobs = await bob.UploadAsync(UploadKit.Png(64, 64));
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
        }

        Assert.Equal(0, await server.QueryAsync(db => db.Jobs.CountAsync(j => j.UserId == bob.Id)));
    }

    [Fact]
    public async Task An_upload_cannot_be_deleted_while_a_queued_or_running_job_needs_it()
    {
        var user = await server.RegisterAsync();
        var upload = await user.UploadAsync(UploadKit.Png(64, 64));

        // Free: one job at a time, so the second waits in the queue behind the first.
        var running = await user.SubmitAsync(TestUser.Request(steps: 150, width: 1024, height: 1024));
        var queued = await user.SubmitAsync(new { prompt = "x", model = "sd-1.5", initImageId = upload.Id, steps = 1 });
        Assert.Equal("queued", (await user.GetAsync(queued.Id)).Status);
        await AssertProblemAsync(await user.Client.DeleteAsync($"/api/v1/uploads/{upload.Id}"), HttpStatusCode.Conflict, "upload_in_use");

        await user.Client.PostAsync($"/api/v1/generations/{running.Id}/cancel", null);
        Assert.Equal("succeeded", (await user.WaitForAsync(queued.Id)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/uploads/{upload.Id}")).StatusCode);

        // The finished job still names the upload it came from.
        Assert.Equal(upload.Id, (await user.KindGenerationAsync(queued.Id)).InitImageId);
    }

    [Fact]
    public async Task Jobs_record_their_kind_and_inputs_in_the_database()
    {
        var user = await server.RegisterAsync();
        var upload = await user.UploadAsync(UploadKit.Png(64, 64));
        var done = await user.GenerateAsync(new { prompt = "x", model = "sd-1.5", initImageId = upload.Id, strength = 0.25, steps = 1 });
        var job = await server.QueryAsync(db => db.Jobs.AsNoTracking().SingleAsync(j => j.Id == done.Id));
        Assert.Equal((JobKind.Img2Img, upload.Id, (Guid?)null, 0.25, (int?)null), (job.Kind, job.InitImageId!.Value, job.MaskImageId, job.Strength!.Value, job.UpscaleScale));
        var plain = await user.GenerateAsync(TestUser.Request(steps: 1));
        Assert.Equal("txt2img", (await user.KindGenerationAsync(plain.Id)).Kind);
    }
}
