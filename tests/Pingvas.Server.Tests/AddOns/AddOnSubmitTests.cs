using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Core.Generation;
using Pingvas.Server.Data;
using Pingvas.Server.Generation;
using Pingvas.Server.Jobs;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Tests.Uploads;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.AddOns;

/// <summary>
/// LoRAs, control images and a reference on a generation (issue 11): the plan gates, limits, owner
/// and family checks, each refusal leaving nothing behind; the stored add-ons with defaults, their
/// job inputs, the estimate's share, and an image in use by a control.
/// </summary>
public sealed class AddOnSubmitTests(AddOnSubmitTests.Fixture fixture) : IClassFixture<AddOnSubmitTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;

    /// <summary>Steps take a moment, so a job with a control image is still running when its image is deleted.</summary>
    public sealed class Fixture() : ServerFixture(new TestSettings { StepDelayMs = 40 });

    public sealed record EstimateBody(int? Credits, bool Allowed, JsonElement? Problem);

    [Fact]
    public async Task Malformed_add_ons_are_validation_failures_naming_the_field_and_write_nothing()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "pro");
        var image = (await user.UploadAsync(UploadKit.Png(64, 64))).Id;
        var lora = await server.AddLoraAsync(user.Id);
        var balance = (await user.MeAsync()).Credits.Balance;
        static object Txt(object extra) => Merge(new { prompt = "x", model = "sd-1.5", width = 64, height = 64, steps = 10 }, extra);

        var cases = new (object Request, string Field)[]
        {
            (Txt(new { loras = Enumerable.Range(0, 6).Select(_ => new { id = Guid.NewGuid(), weight = 1 }) }), "loras"),
            (Txt(new { loras = new[] { new { id = lora, weight = 1.0 }, new { id = lora, weight = 0.5 } } }), "loras"),
            (Txt(new { loras = new[] { new { id = lora, weight = 2.5 } } }), "loras[0].weight"),
            (Txt(new { loras = new[] { new { id = lora, weight = -2.01 } } }), "loras[0].weight"),
            (Txt(new { control = Enumerable.Range(0, 4).Select(_ => new { imageId = image, type = "canny" }) }), "control"),
            (Txt(new { control = new[] { new { imageId = image, type = "scribble" } } }), "control[0].type"),
            (Txt(new { control = new[] { new { imageId = image, type = "canny", weight = 2.1 } } }), "control[0].weight"),
            (Txt(new { control = new[] { new { imageId = image, type = "canny", weight = -0.1 } } }), "control[0].weight"),
            (Txt(new { control = new[] { new { imageId = image, type = "canny", beginStep = 5, endStep = 5 } } }), "control[0].endStep"),
            (Txt(new { control = new[] { new { imageId = image, type = "canny", endStep = 11 } } }), "control[0].endStep"),
            (Txt(new { control = new[] { new { imageId = image, type = "canny", beginStep = -1 } } }), "control[0].beginStep"),
            (Txt(new { control = new[] { new { imageId = image, type = "canny", beginStep = 10 } } }), "control[0].beginStep"),
            (Txt(new { reference = new { imageId = image, weight = 3 } }), "reference.weight"),
            (new { kind = "upscale", model = "sd-1.5", imageId = image, scale = 2, loras = new[] { new { id = lora, weight = 1 } } }, "loras"),
            (new { kind = "upscale", model = "sd-1.5", imageId = image, scale = 2, reference = new { imageId = image } }, "reference"),
        };
        foreach (var (request, field) in cases)
        {
            var problem = await AssertProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/generations", request), HttpStatusCode.BadRequest, "validation_failed");
            Assert.True(problem["errors"]?.AsObject().ContainsKey(field) == true, $"{JsonSerializer.Serialize(request)} → {problem.ToJsonString()}");
        }

        await server.AssertNothingWrittenAsync(user, balance);
    }

    [Fact]
    public async Task A_plan_without_loras_or_control_is_refused_naming_the_feature()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var image = (await user.UploadAsync(UploadKit.Png(64, 64))).Id;
        var lora = await server.AddLoraAsync(user.Id);
        var balance = (await user.MeAsync()).Credits.Balance;

        foreach (var (extra, feature) in new (object, string)[]
        {
            (new { loras = new[] { new { id = lora, weight = 1 } } }, "loras"),
            (new { control = new[] { new { imageId = image, type = "canny" } } }, "control"),
            (new { reference = new { imageId = image } }, "control"),
        })
        {
            var request = Merge(TestUser.Request(), extra);
            var problem = await AssertProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/generations", request), HttpStatusCode.Forbidden, "plan_forbids_feature");
            Assert.Equal(feature, (string?)problem["feature"]);
            var estimate = await EstimateAsync(user, request);
            Assert.False(estimate.Allowed);
            Assert.Equal("plan_forbids_feature", estimate.Problem!.Value.GetProperty("code").GetString());
        }

        await server.AssertNothingWrittenAsync(user, balance);
    }

    [Fact]
    public async Task Another_users_lora_or_image_is_unknown_and_a_lora_of_another_family_does_not_fit()
    {
        var alice = await server.RegisterAsync();
        var bob = await server.RegisterAsync();
        await server.SetPlanAsync(bob.Id, "pro");
        var alicesLora = await server.AddLoraAsync(alice.Id);
        var alicesImage = (await alice.UploadAsync(UploadKit.Png(64, 64))).Id;
        var bobsImage = (await bob.UploadAsync(UploadKit.Png(64, 64))).Id;
        var bobsSdxl = await server.AddLoraAsync(bob.Id, family: "sdxl", name: "xl-style");
        var balance = (await bob.MeAsync()).Credits.Balance;

        var unknown = await AssertProblemAsync(await bob.Client.PostAsJsonAsync("/api/v1/generations",
            Merge(TestUser.Request(), new { loras = new[] { new { id = Guid.NewGuid(), weight = 1 } } })), HttpStatusCode.NotFound, "lora_not_found");
        var others = await AssertProblemAsync(await bob.Client.PostAsJsonAsync("/api/v1/generations",
            Merge(TestUser.Request(), new { loras = new[] { new { id = alicesLora, weight = 1 } } })), HttpStatusCode.NotFound, "lora_not_found");
        Assert.Equal("loras[0].id", (string?)others["field"]);
        Assert.Equal((string?)unknown["detail"], (string?)others["detail"]);

        var mismatch = await AssertProblemAsync(await bob.Client.PostAsJsonAsync("/api/v1/generations",
            Merge(TestUser.Request(), new { loras = new[] { new { id = bobsSdxl, weight = 1 } } })), HttpStatusCode.BadRequest, "lora_family_mismatch");
        Assert.Contains("sdxl", (string?)mismatch["detail"], StringComparison.Ordinal);

        foreach (var (extra, field) in new (object, string)[]
        {
            (new { control = new[] { new { imageId = bobsImage, type = "canny" }, new { imageId = alicesImage, type = "depth" } } }, "control[1].imageId"),
            (new { control = new[] { new { imageId = Guid.NewGuid(), type = "canny" } } }, "control[0].imageId"),
            (new { reference = new { imageId = alicesImage } }, "reference.imageId"),
        })
        {
            var problem = await AssertProblemAsync(await bob.Client.PostAsJsonAsync("/api/v1/generations", Merge(TestUser.Request(), extra)),
                HttpStatusCode.BadRequest, "invalid_image_reference");
            Assert.Equal(field, (string?)problem["field"]);
        }

        await server.AssertNothingWrittenAsync(bob, balance);
        Assert.Equal(0, await server.QueryAsync(db => db.Jobs.CountAsync(j => j.UserId == alice.Id)));
    }

    [Fact]
    public async Task A_control_type_or_reference_the_family_lacks_is_control_unsupported()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "pro");
        var image = (await user.UploadAsync(UploadKit.Png(64, 64))).Id;
        var balance = (await user.MeAsync()).Credits.Balance;

        foreach (var (model, extra, field) in new (string, object, string)[]
        {
            ("sdxl-1.0", new { control = new[] { new { imageId = image, type = "canny" }, new { imageId = image, type = "lineart" } } }, "control[1].type"),
            ("flux-schnell", new { control = new[] { new { imageId = image, type = "pose" } } }, "control[0].type"),
            ("flux-dev", new { control = new[] { new { imageId = image, type = "lineart" } }, reference = new { imageId = image } }, "control[0].type"),
        })
        {
            var problem = await AssertProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/generations",
                Merge(new { prompt = "x", model, width = 64, height = 64, steps = 4 }, extra)), HttpStatusCode.BadRequest, "control_unsupported");
            Assert.Equal(field, (string?)problem["field"]);
        }

        await server.AssertNothingWrittenAsync(user, balance);
    }

    [Fact]
    public async Task The_job_stores_its_add_ons_with_defaults_and_their_inputs_and_runs()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "pro");
        var control = (await user.UploadAsync(UploadKit.Png(64, 64))).Id;
        var reference = (await user.UploadAsync(UploadKit.Png(64, 64, seed: 2))).Id;
        var lora = await server.AddLoraAsync(user.Id);
        var other = await server.AddLoraAsync(user.Id, name: "detail");

        var submitted = await user.SubmitJsonAsync(Merge(TestUser.Request(steps: 10), new
        {
            loras = new[] { new { id = lora, weight = 0.8 }, new { id = other, weight = -1.5 } },
            control = new object[] { new { imageId = control, type = "canny" }, new { imageId = control, type = "depth", weight = 0.4, beginStep = 2, endStep = 8 } },
            reference = new { imageId = reference },
        }));
        var id = Guid.Parse((string)submitted["id"]!);
        var done = await user.WaitForAsync(id);
        Assert.Equal("succeeded", done.Status);

        var dto = await user.GetJsonAsync(id);
        foreach (var body in new[] { submitted, dto })
        {
            Assert.Equal(
                $$"""[{"id":"{{lora}}","weight":0.8},{"id":"{{other}}","weight":-1.5}]""",
                body["loras"]!.ToJsonString());
            Assert.Equal(
                $$"""[{"imageId":"{{control}}","type":"canny","weight":1,"beginStep":0,"endStep":10},{"imageId":"{{control}}","type":"depth","weight":0.4,"beginStep":2,"endStep":8}]""",
                body["control"]!.ToJsonString());
            Assert.Equal($$"""{"imageId":"{{reference}}","weight":0.5}""", body["reference"]!.ToJsonString());
        }

        var inputs = await server.QueryAsync(db => db.JobInputs.Where(i => i.JobId == id).OrderBy(i => i.Kind).ThenBy(i => i.RefId).ToListAsync());
        Assert.Equal(
            new[] { (JobInputKinds.Image, control), (JobInputKinds.Image, reference), (JobInputKinds.Lora, lora), (JobInputKinds.Lora, other) }.OrderBy(x => x.Item1).ThenBy(x => x.Item2),
            inputs.Select(i => (i.Kind, i.RefId)));
        Assert.All(inputs, i => Assert.Equal(user.Id, i.UserId));

        // What a worker hands its engine: LoRAs with a signed URL, steps as shares, the images' bytes.
        await using (var scope = server.Services.CreateSystemScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
            var engineJob = await scope.ServiceProvider.GetRequiredService<EngineJobs>().ForAsync(await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == id), CancellationToken.None);
            Assert.Equal([(lora, 0.8, "sd1"), (other, -1.5, "sd1")], engineJob.Loras.Select(l => (l.Id, l.Weight, l.Family)));
            Assert.All(engineJob.Loras, l => Assert.Contains("sig=", l.DownloadUrl, StringComparison.Ordinal));
            Assert.Equal($"pingvas-lora-{lora:N}", engineJob.Loras[0].NodeName);
            Assert.Equal([("canny", 1.0, 0.0, 1.0), ("depth", 0.4, 0.2, 0.8)], engineJob.Controls.Select(c => (c.Type, c.Weight, c.BeginPercent, c.EndPercent)));
            Assert.Equal((64, 64), (engineJob.Controls[0].Image.Width, engineJob.Controls[0].Image.Height));
            Assert.Equal(0.5, engineJob.Reference!.Weight);
            Assert.NotEqual(engineJob.Controls[0].Image.Bytes, engineJob.Reference.Image.Bytes);
        }

        // A plain job shows empty add-ons and stores none.
        var plain = await user.SubmitJsonAsync(TestUser.Request());
        Assert.Equal("[]", plain["loras"]!.ToJsonString());
        Assert.Equal("[]", plain["control"]!.ToJsonString());
        Assert.Null(plain["reference"]);
        var plainId = Guid.Parse((string)plain["id"]!);
        Assert.Null(await server.QueryAsync(db => db.Jobs.Where(j => j.Id == plainId).Select(j => j.AddOns).SingleAsync()));
        await user.WaitForAsync(plainId);
    }

    [Fact]
    public async Task The_estimate_adds_15_percent_per_control_image_and_10_for_a_reference_and_the_submit_reserves_it()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "pro");
        var image = (await user.UploadAsync(UploadKit.Png(64, 64))).Id;
        var lora = await server.AddLoraAsync(user.Id);
        var plain = TestUser.Request(width: 512, height: 512, steps: 100);
        var basePrice = (await EstimateAsync(user, plain)).Credits!.Value;
        Assert.Equal(11, basePrice); // 0.5 + 0.4 × 100 × 0.262144 = 10.99 → 11

        Assert.Equal(basePrice, (await EstimateAsync(user, Merge(plain, new { loras = new[] { new { id = lora, weight = 1 } } }))).Credits);
        Assert.Equal(13, (await EstimateAsync(user, Merge(plain, new { control = new[] { new { imageId = image, type = "canny" } } }))).Credits); // 12.65 → 13
        var full = Merge(plain, new
        {
            control = new[] { new { imageId = image, type = "canny" }, new { imageId = image, type = "pose" } },
            reference = new { imageId = image, weight = 1 },
        });
        var estimate = await EstimateAsync(user, full);
        Assert.True(estimate.Allowed);
        Assert.Equal(KindCosts.WithAddOns(basePrice, 2, true), estimate.Credits);
        Assert.Equal(16, estimate.Credits); // 11 × 1.4 = 15.4 → 16

        var job = await user.SubmitJsonAsync(full);
        Assert.Equal(16, (int)job["reservedCredits"]!);
        await user.Client.PostAsync($"/api/v1/generations/{job["id"]}/cancel", null);
    }

    [Fact]
    public async Task An_upload_or_gallery_image_a_waiting_or_running_job_uses_as_control_or_reference_cannot_be_deleted()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "pro");
        var control = (await user.UploadAsync(UploadKit.Png(64, 64))).Id;
        var reference = (await user.GenerateAsync(TestUser.Request(steps: 1))).Images.Single().Id;
        var unused = (await user.UploadAsync(UploadKit.Png(64, 64, seed: 4))).Id;

        // 150 steps at 40 ms: the job is still waiting or running while the deletes are tried.
        var job = await user.SubmitJsonAsync(Merge(TestUser.Request(steps: 150), new
        {
            control = new[] { new { imageId = control, type = "lineart" } },
            reference = new { imageId = reference },
        }));
        var id = Guid.Parse((string)job["id"]!);
        await AssertProblemAsync(await user.Client.DeleteAsync($"/api/v1/uploads/{control}"), HttpStatusCode.Conflict, "upload_in_use");
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/images/{reference}")).StatusCode);
        await AssertProblemAsync(await user.Client.DeleteAsync($"/api/v1/images/{reference}?permanent=true"), HttpStatusCode.Conflict, "image_in_use");
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/uploads/{unused}")).StatusCode);
        Assert.Contains((await user.GetAsync(id)).Status, new[] { "queued", "running" });

        await user.Client.PostAsync($"/api/v1/generations/{id}/cancel", null);
        await user.WaitForAsync(id, "cancelled", "succeeded");
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/uploads/{control}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/images/{reference}?permanent=true")).StatusCode);
    }

    private static async Task<EstimateBody> EstimateAsync(TestUser user, object request)
    {
        var response = await user.Client.PostAsJsonAsync("/api/v1/generations/estimate", request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<EstimateBody>(Json.Options))!;
    }

    /// <summary>The properties of both objects as one JSON request body (the second's win).</summary>
    private static Dictionary<string, JsonElement> Merge(object first, object second)
    {
        var merged = JsonSerializer.SerializeToElement(first, Json.Options).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        foreach (var property in JsonSerializer.SerializeToElement(second, Json.Options).EnumerateObject())
        {
            merged[property.Name] = property.Value.Clone();
        }

        return merged;
    }
}
