using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Engines.Imaging;
using Pingvas.Server.Catalog;
using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.Uploads;

/// <summary>
/// <c>/api/v1/uploads</c>: PNG, WebP and JPEG taken as the raw body, sniffed and fully decoded;
/// size, plan side and storage quota enforced; owner-only on every endpoint.
/// </summary>
public sealed class UploadTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task Png_webp_and_jpeg_are_stored_and_read_back_by_their_owner()
    {
        var user = await server.RegisterAsync();
        var png = UploadKit.Png(96, 64);
        var webp = WebPEncoder.Encode(UploadKit.Noise(72, 48), 90);
        foreach (var (bytes, type, format, width, height) in new[]
        {
            (png, "image/png", "png", 96, 64),
            (webp, "image/webp", "webp", 72, 48),
            (UploadKit.Jpeg, "image/jpeg", "jpeg", 40, 30),
        })
        {
            var response = await user.PostUploadAsync(bytes, type);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var upload = (await response.Content.ReadFromJsonAsync<UploadBody>(Json.Options))!;
            Assert.Equal((width, height, format, (long)bytes.Length), (upload.Width, upload.Height, upload.Format, upload.Bytes));
            Assert.Equal($"/api/v1/uploads/{upload.Id}", response.Headers.Location?.OriginalString);

            Assert.Equal(upload, await user.Client.GetFromJsonAsync<UploadBody>($"/api/v1/uploads/{upload.Id}", Json.Options));
            var content = await user.Client.GetAsync($"/api/v1/uploads/{upload.Id}/content");
            Assert.Equal(type, content.Content.Headers.ContentType?.MediaType);
            Assert.Equal(bytes, await content.Content.ReadAsByteArrayAsync());
        }

        var listed = await AllAsync<UploadBody>(user.Client, "/api/v1/uploads", limit: 2);
        Assert.Equal(["jpeg", "webp", "png"], listed.Select(u => u.Format));
    }

    [Fact]
    public async Task The_object_key_is_not_derived_from_the_id()
    {
        var user = await server.RegisterAsync();
        var upload = await user.UploadAsync(UploadKit.Png(64, 64));
        var key = await server.QueryAsync(db => db.Uploads.Where(u => u.Id == upload.Id).Select(u => u.ObjectKey).SingleAsync());
        Assert.StartsWith($"users/{user.Id:N}/uploads/{upload.Id:N}-", key, StringComparison.Ordinal);
        Assert.Matches("-[0-9a-f]{32}\\.png$", key);
    }

    [Fact]
    public async Task Bytes_that_are_not_the_image_they_claim_are_invalid_image_and_nothing_is_stored()
    {
        var user = await server.RegisterAsync();
        var png = UploadKit.Png(64, 64);
        var cases = new (string Name, byte[] Bytes, string Type)[]
        {
            ("jpeg renamed to png", UploadKit.Jpeg, "image/png"),
            ("png renamed to jpeg", png, "image/jpeg"),
            ("png renamed to webp", png, "image/webp"),
            ("truncated png", png[..(png.Length / 2)], "image/png"),
            ("truncated jpeg", UploadKit.Jpeg[..(UploadKit.Jpeg.Length - 40)], "image/jpeg"),
            ("png header only", png[..33], "image/png"),
            ("garbage", System.Text.Encoding.ASCII.GetBytes("certainly not an image, just text"), "image/png"),
            ("empty", [], "image/png"),
        };
        foreach (var (name, bytes, type) in cases)
        {
            var problem = await AssertProblemAsync(await user.PostUploadAsync(bytes, type), HttpStatusCode.BadRequest, "invalid_image");
            Assert.False(string.IsNullOrEmpty((string?)problem["detail"]), name);
        }

        Assert.Empty(await AllAsync<UploadBody>(user.Client, "/api/v1/uploads"));
        Assert.False(Directory.Exists(Path.Combine(server.DataPath, "objects", "users", user.Id.ToString("N"), "uploads"))
            && Directory.EnumerateFiles(Path.Combine(server.DataPath, "objects", "users", user.Id.ToString("N"), "uploads")).Any());
    }

    [Fact]
    public async Task A_body_without_an_image_content_type_is_unsupported_media_type()
    {
        var user = await server.RegisterAsync();
        foreach (var type in new[] { null, "application/octet-stream", "image/gif", "application/json" })
        {
            await AssertProblemAsync(await user.PostUploadAsync(UploadKit.Png(64, 64), type), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        }
    }

    [Fact]
    public async Task More_than_10_MB_is_refused_with_413_whether_declared_or_streamed()
    {
        var user = await server.RegisterAsync();
        var big = new byte[(10 * 1024 * 1024) + 1];
        UploadKit.Png(64, 64).CopyTo(big, 0);
        await AssertProblemAsync(await user.PostUploadAsync(big), HttpStatusCode.RequestEntityTooLarge, "upload_too_large");

        // No Content-Length: refused once the read passes the limit.
        var streamed = new StreamContent(new UnknownLengthStream(big));
        streamed.Headers.ContentType = MediaTypeHeaderValue.Parse("image/png");
        await AssertProblemAsync(await user.Client.PostAsync("/api/v1/uploads", streamed), HttpStatusCode.RequestEntityTooLarge, "upload_too_large");
        Assert.Empty(await AllAsync<UploadBody>(user.Client, "/api/v1/uploads"));
    }

    [Fact]
    public async Task A_side_longer_than_the_plan_allows_is_image_too_large()
    {
        var user = await server.RegisterAsync();
        var wide = UploadKit.Png(1032, 64);
        var problem = await AssertProblemAsync(await user.PostUploadAsync(wide), HttpStatusCode.BadRequest, "image_too_large");
        Assert.Contains("1024", (string?)problem["detail"], StringComparison.Ordinal);

        await server.SetPlanAsync(user.Id, "starter");
        Assert.Equal(1032, (await user.UploadAsync(wide)).Width);
    }

    [Fact]
    public async Task Another_users_upload_is_not_found_on_every_endpoint_and_stays_intact()
    {
        var alice = await server.RegisterAsync();
        var bob = await server.RegisterAsync();
        var upload = await alice.UploadAsync(UploadKit.Png(64, 64));
        var missing = Guid.CreateVersion7();

        foreach (var (method, suffix) in new[] { (HttpMethod.Get, ""), (HttpMethod.Get, "/content"), (HttpMethod.Delete, "") })
        {
            var expected = await AssertProblemAsync(await bob.Client.SendAsync(new HttpRequestMessage(method, $"/api/v1/uploads/{missing}{suffix}")), HttpStatusCode.NotFound, "not_found");
            var actual = await AssertProblemAsync(await bob.Client.SendAsync(new HttpRequestMessage(method, $"/api/v1/uploads/{upload.Id}{suffix}")), HttpStatusCode.NotFound, "not_found");
            Assert.Equal(expected.ToJsonString(), actual.ToJsonString());
        }

        Assert.Empty(await AllAsync<UploadBody>(bob.Client, "/api/v1/uploads"));
        Assert.Equal(upload, await alice.Client.GetFromJsonAsync<UploadBody>($"/api/v1/uploads/{upload.Id}", Json.Options));
        Assert.Equal(HttpStatusCode.OK, (await alice.Client.GetAsync($"/api/v1/uploads/{upload.Id}/content")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.CreateClient().GetAsync($"/api/v1/uploads/{upload.Id}")).StatusCode);
    }

    [Fact]
    public async Task Uploads_and_gallery_images_count_against_the_storage_quota_and_deleting_frees_it()
    {
        var user = await server.RegisterAsync();
        var image = await user.GenerateAsync(TestUser.Request(steps: 1));
        var imageBytes = (await user.Client.GetFromJsonAsync<ImageBody>($"/api/v1/images/{image.Images.Single().Id}", Json.Options))!.StoredBytes;
        var first = UploadKit.Png(64, 64, seed: 1);
        var second = UploadKit.Png(64, 64, seed: 2);

        // Room for the image and both uploads but one byte.
        var plan = $"tiny-{Guid.NewGuid():N}";
        await server.QueryAsync(async db =>
        {
            db.Plans.Add(new Plan { Id = plan, Name = "Tiny", Rank = 0, MonthlyCredits = 100, StorageBytes = imageBytes + first.Length + second.Length - 1, ConcurrentJobs = 1, QueuePriority = 2, MaxSide = 1024, MaxBatch = 1, Features = "generate" });
            return await db.SaveChangesAsync();
        });
        await server.SetPlanAsync(user.Id, plan);

        var kept = await user.UploadAsync(first);
        var problem = await AssertProblemAsync(await user.PostUploadAsync(second), HttpStatusCode.Forbidden, "storage_quota_exceeded");
        Assert.Contains(plan, (string?)problem["detail"], StringComparison.Ordinal);
        Assert.Single(await AllAsync<UploadBody>(user.Client, "/api/v1/uploads"));

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/uploads/{kept.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await user.Client.GetAsync($"/api/v1/uploads/{kept.Id}/content")).StatusCode);
        await user.UploadAsync(second);

        // A trashed gallery image still counts; deleting it for good frees its bytes too.
        await AssertProblemAsync(await user.PostUploadAsync(first), HttpStatusCode.Forbidden, "storage_quota_exceeded");
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/images/{image.Images.Single().Id}")).StatusCode);
        await AssertProblemAsync(await user.PostUploadAsync(first), HttpStatusCode.Forbidden, "storage_quota_exceeded");
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/images/{image.Images.Single().Id}?permanent=true")).StatusCode);
        await user.UploadAsync(first);
    }

    [Fact]
    public async Task Deleting_an_upload_removes_its_object()
    {
        var user = await server.RegisterAsync();
        var upload = await user.UploadAsync(UploadKit.Png(64, 64));
        var key = await server.QueryAsync(db => db.Uploads.Where(u => u.Id == upload.Id).Select(u => u.ObjectKey).SingleAsync());
        var file = Path.Combine(server.DataPath, "objects", key);
        Assert.True(File.Exists(file));

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/uploads/{upload.Id}")).StatusCode);
        Assert.False(File.Exists(file));
        await AssertProblemAsync(await user.Client.DeleteAsync($"/api/v1/uploads/{upload.Id}"), HttpStatusCode.NotFound, "not_found");
    }

    /// <summary>A readable stream that does not tell its length, so the client sends it chunked.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
