using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Engines.Imaging;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Tests.Uploads;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.JobKinds;

/// <summary>Every malformed job-kind request is a problem with a stable code naming the field, and leaves nothing behind.</summary>
public sealed class JobKindValidationTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task Requests_whose_inputs_do_not_fit_their_kind_are_validation_failures_naming_the_field()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var upload = await user.UploadAsync(UploadKit.Png(64, 64));
        var mask = await user.UploadAsync(PngEncoder.Encode(UploadKit.LeftHalfMask(64, 64)));
        var id = upload.Id;
        var balance = (await user.MeAsync()).Credits.Balance;

        var cases = new (object Request, string Field)[]
        {
            (new { prompt = "x", model = "sd-1.5", kind = "outpaint" }, "kind"),
            (new { prompt = "x", model = "sd-1.5", kind = "IMG2IMG", initImageId = id }, "kind"),
            (new { prompt = "x", model = "sd-1.5", kind = "img2img" }, "initImageId"),
            (new { prompt = "x", model = "sd-1.5", kind = "img2img", initImageId = id, maskImageId = mask.Id }, "maskImageId"),
            (new { prompt = "x", model = "sd-1.5", kind = "inpaint", initImageId = id }, "maskImageId"),
            (new { prompt = "x", model = "sd-1.5", maskImageId = mask.Id }, "initImageId"),
            (new { prompt = "x", model = "sd-1.5", initImageId = id, strength = 1.5 }, "strength"),
            (new { prompt = "x", model = "sd-1.5", initImageId = id, strength = -0.1 }, "strength"),
            (new { prompt = "x", model = "sd-1.5", kind = "txt2img", strength = 0.5 }, "strength"),
            (new { prompt = "x", model = "sd-1.5", kind = "txt2img", initImageId = id }, "initImageId"),
            (new { prompt = "x", model = "sd-1.5", initImageId = id, scale = 2 }, "initImageId"),
            (new { model = "sd-1.5", kind = "upscale", imageId = id }, "scale"),
            (new { model = "sd-1.5", kind = "upscale", imageId = id, scale = 3 }, "scale"),
            (new { model = "sd-1.5", kind = "upscale", scale = 2 }, "imageId"),
            (new { model = "sd-1.5", kind = "upscale", imageId = id, scale = 2, batchSize = 2 }, "batchSize"),
            (new { model = "sd-1.5", kind = "upscale", imageId = id, scale = 2, strength = 0.5 }, "strength"),
            (new { model = "sd-1.5", imageId = id, scale = 2, initImageId = id }, "initImageId"),
            (new { prompt = "x", model = "sd-1.5", initImageId = "not-a-guid" }, "body"),
        };
        foreach (var (request, field) in cases)
        {
            var response = await user.Client.PostAsJsonAsync("/api/v1/generations", request);
            var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
            Assert.True(problem["errors"]?.AsObject().ContainsKey(field) == true, $"{System.Text.Json.JsonSerializer.Serialize(request)} → {problem.ToJsonString()}");
        }

        await AssertNothingWrittenAsync(user, balance);
    }

    [Fact]
    public async Task A_mask_of_another_size_than_the_init_image_is_refused()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var init = await user.UploadAsync(UploadKit.Png(64, 64));
        var mask = await user.UploadAsync(PngEncoder.Encode(UploadKit.LeftHalfMask(72, 64)));
        var balance = (await user.MeAsync()).Credits.Balance;

        var problem = await AssertProblemAsync(
            await user.Client.PostAsJsonAsync("/api/v1/generations", new { prompt = "x", model = "sd-1.5", initImageId = init.Id, maskImageId = mask.Id }),
            HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains("64×64", problem["errors"]!["maskImageId"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        await AssertNothingWrittenAsync(user, balance);
    }

    [Fact]
    public async Task An_upscale_larger_than_the_plan_allows_is_image_too_large_and_a_smaller_scale_fits()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var upload = await user.UploadAsync(UploadKit.Png(800, 64));
        var balance = (await user.MeAsync()).Credits.Balance;

        var problem = await AssertProblemAsync(
            await user.Client.PostAsJsonAsync("/api/v1/generations", new { kind = "upscale", model = "sd-1.5", imageId = upload.Id, scale = 2 }),
            HttpStatusCode.BadRequest, "image_too_large");
        Assert.Contains("1600×128", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.Contains("1536", (string?)problem["detail"], StringComparison.Ordinal);
        await AssertNothingWrittenAsync(user, balance);

        // The same image fits a plan with a longer side.
        await server.SetPlanAsync(user.Id, "pro");
        var image = (await user.GenerateAsync(new { kind = "upscale", model = "sd-1.5", imageId = upload.Id, scale = 2 })).Images.Single();
        Assert.Equal((1600, 128), (image.Width, image.Height));
    }

    [Fact]
    public async Task An_init_image_larger_than_the_plan_allows_after_a_downgrade_is_a_plan_limit()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var upload = await user.UploadAsync(UploadKit.Png(1200, 64));
        await server.SetPlanAsync(user.Id, "free");

        await AssertProblemAsync(
            await user.Client.PostAsJsonAsync("/api/v1/generations", new { prompt = "x", model = "sd-1.5", initImageId = upload.Id }),
            HttpStatusCode.Forbidden, "plan_limit");
    }

    private async Task AssertNothingWrittenAsync(TestUser user, int balance)
    {
        Assert.Equal(0, await server.QueryAsync(db => db.Jobs.CountAsync(j => j.UserId == user.Id)));
        Assert.Equal(balance, (await user.MeAsync()).Credits.Balance);
    }
}
