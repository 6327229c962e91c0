using Pingvas.Engines.Imaging;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Tests.Uploads;
using Pingvas.Testing.InvokeAi;

namespace Pingvas.Server.Tests.InvokeAi;

/// <summary>
/// Every job kind through the real API on an InvokeAI node (the protocol test server validates
/// each enqueued graph against InvokeAI's node schemas): img2img and inpaint from uploads, and
/// upscale ×2 — each uploaded to the node as an intermediate, run, fetched, and cleaned up there.
/// </summary>
public sealed class InvokeAiJobKindTests(InvokeAiGenerationTests.Fixture fixture) : IClassFixture<InvokeAiGenerationTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;
    private readonly InvokeAiTestNode node = fixture.Node;

    [Fact]
    public async Task Img2img_from_an_upload_runs_on_the_node_with_the_upload_as_its_init_image()
    {
        var user = await server.RegisterAsync();
        var upload = await user.UploadAsync(PngEncoder.Encode(UploadKit.Noise(96, 64, seed: 2)));

        var done = await user.GenerateAsync(new { prompt = "a fox", model = "sd-1.5", initImageId = upload.Id, strength = 0.6, steps = 4, seed = 5 });

        Assert.Equal(("succeeded", "invokeai"), (done.Status, done.Engine));
        Assert.Equal((96, 64), (done.Images[0].Width, done.Images[0].Height));
        var record = await AssertRanCleanlyAsync(done.Id, uploads: 1);
        Assert.Contains(record.Uploads, u => u.IsIntermediate && (u.Width, u.Height) == (96, 64));
    }

    [Fact]
    public async Task Inpaint_runs_on_the_node_with_the_init_image_and_its_mask()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var init = await user.UploadAsync(PngEncoder.Encode(UploadKit.Noise(64, 64, seed: 3)));
        var mask = await user.UploadAsync(PngEncoder.Encode(UploadKit.LeftHalfMask(64, 64)));

        var done = await user.GenerateAsync(new { prompt = "a moon", model = "sd-1.5", initImageId = init.Id, maskImageId = mask.Id, steps = 4 });

        Assert.Equal(("succeeded", "invokeai"), (done.Status, done.Engine));
        await AssertRanCleanlyAsync(done.Id, uploads: 2);
    }

    [Fact]
    public async Task Upscale_doubles_the_upload_on_the_node()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var upload = await user.UploadAsync(PngEncoder.Encode(UploadKit.Noise(40, 24, seed: 4)));

        var done = await user.GenerateAsync(new { kind = "upscale", model = "sd-1.5", imageId = upload.Id, scale = 2 });

        Assert.Equal(("succeeded", "invokeai"), (done.Status, done.Engine));
        Assert.Equal((80, 48), (done.Images[0].Width, done.Images[0].Height));
        var result = await user.ResultPixelsAsync(done);
        Assert.Equal((80, 48), (result.Width, result.Height));
        await AssertRanCleanlyAsync(done.Id, uploads: 1);
    }

    /// <summary>The job's item completed on the node, no graph broke the schema, and nothing of the job is left on the node.</summary>
    private async Task<InvokeAiTestRecord> AssertRanCleanlyAsync(Guid jobId, int uploads)
    {
        var record = await node.RecordAsync();
        Assert.Empty(record.Violations);
        var item = Assert.Single(record.Items, i => i.Destination == jobId.ToString("D"));
        Assert.Equal("completed", item.Status);
        var batch = Assert.Single(record.Enqueued, e => e.Batch.GetProperty("destination").GetString() == jobId.ToString("D"));
        var sent = batch.Batch.GetRawText();
        var uploaded = record.Uploads.Where(u => sent.Contains(u.ImageName, StringComparison.Ordinal)).ToList();
        Assert.Equal(uploads, uploaded.Count);
        Assert.All(uploaded, u => Assert.Contains(u.ImageName, record.DeletedImages));
        Assert.All(item.OutputImages, name => Assert.Contains(name, record.DeletedImages));
        return record;
    }
}
