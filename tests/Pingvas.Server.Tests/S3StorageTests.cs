using System.Net;
using System.Net.Http.Json;
using System.Web;

using Pingvas.Server.Hosting;
using Pingvas.Server.Storage;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>One s3rver for the whole class: each test uses its own keys (or its own server instance and users).</summary>
public sealed class S3ServerFixture : IAsyncLifetime
{
    public S3Server Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await S3Server.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// The S3 object store against a real S3-compatible server on 127.0.0.1 (npm s3rver), alone and as the
/// app's store. s3rver does not verify SigV4 signatures (and serves unsigned GETs), so signature and
/// expiry rejection are not tested against it: these tests prove the wire protocol and the URL shape.
/// </summary>
public sealed class S3StorageTests(S3ServerFixture fixture) : IClassFixture<S3ServerFixture>
{
    private readonly S3Server s3 = fixture.Server;

    [Fact]
    public async Task Put_get_delete_round_trip_keeps_bytes_and_content_type()
    {
        using var store = s3.CreateStore();
        var prefix = $"tests/{Guid.NewGuid():N}";

        // 1 MB of every byte value: exact round trip (no aws-chunked framing or checksum trailer stored).
        var blob = new byte[1024 * 1024];
        new Random(42).NextBytes(blob);
        var key = $"{prefix}/deep/er/blob.bin";
        await store.PutAsync(key, blob, "application/x-pingvas-test", CancellationToken.None);

        var found = await store.GetAsync(key, CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal("application/x-pingvas-test", found.ContentType);
        Assert.Equal(blob.Length, found.Length);
        Assert.Equal(blob, await ReadAllAsync(found));

        // Overwrite in place, with a different type.
        await store.PutAsync(key, "small"u8.ToArray(), "text/plain", CancellationToken.None);
        var replaced = await store.GetAsync(key, CancellationToken.None);
        Assert.Equal("text/plain", replaced!.ContentType);
        Assert.Equal("small"u8.ToArray(), await ReadAllAsync(replaced));

        // A sibling key under the same prefix is its own object.
        var sibling = $"{prefix}/deep/other.png";
        await store.PutAsync(sibling, new byte[] { 1, 2, 3 }, "image/png", CancellationToken.None);

        await store.DeleteAsync(key, CancellationToken.None);
        Assert.Null(await store.GetAsync(key, CancellationToken.None));
        Assert.Equal(new byte[] { 1, 2, 3 }, await ReadAllAsync((await store.GetAsync(sibling, CancellationToken.None))!));

        // Missing objects: null, and deleting one is not an error.
        Assert.Null(await store.GetAsync($"{prefix}/never/written.png", CancellationToken.None));
        await store.DeleteAsync($"{prefix}/never/written.png", CancellationToken.None);
        await store.DeleteAsync(key, CancellationToken.None);

        // The bytes are on s3rver's disk, not anywhere else.
        Assert.True(Directory.Exists(Path.Combine(s3.Directory, s3.Bucket)));
    }

    [Fact]
    public async Task Keys_outside_our_key_shape_are_refused_before_any_request()
    {
        using var store = s3.CreateStore();
        foreach (var bad in new[] { "../escape.png", "/abs.png", "Upper/Case.png", "spa ce.png", string.Empty })
        {
            await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(bad, new byte[] { 1 }, "image/png", CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync(bad, CancellationToken.None));
            Assert.Throws<ArgumentException>(() => store.UrlFor(bad));
        }
    }

    [Fact]
    public async Task Presigned_url_fetches_the_object_with_a_plain_client_and_carries_the_configured_expiry()
    {
        var key = $"tests/{Guid.NewGuid():N}/presigned.png";
        var bytes = new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 1, 2, 3 };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        foreach (var seconds in new[] { 3600, 120 })
        {
            using var store = s3.CreateStore(presignSeconds: seconds);
            await store.PutAsync(key, bytes, "image/png", CancellationToken.None);

            var url = new Uri(store.UrlFor(key));
            Assert.Equal($"{s3.ServiceUrl}/{s3.Bucket}/{key}", url.GetLeftPart(UriPartial.Path));
            var query = HttpUtility.ParseQueryString(url.Query);
            Assert.Equal("AWS4-HMAC-SHA256", query["X-Amz-Algorithm"]);
            Assert.Equal(seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), query["X-Amz-Expires"]);
            Assert.StartsWith($"{S3Server.AccessKey}/", query["X-Amz-Credential"], StringComparison.Ordinal);
            Assert.Contains("/us-east-1/s3/aws4_request", query["X-Amz-Credential"], StringComparison.Ordinal);
            Assert.Equal("host", query["X-Amz-SignedHeaders"]);
            Assert.Matches("^[0-9a-f]{64}$", query["X-Amz-Signature"]!);
            var signedAt = DateTime.ParseExact(query["X-Amz-Date"]!, "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
            Assert.InRange(signedAt, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));

            using var response = await http.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task Public_base_url_replaces_scheme_and_host_and_keeps_the_signed_path_and_query()
    {
        var key = $"tests/{Guid.NewGuid():N}/cdn.webp";
        using var direct = s3.CreateStore();
        await direct.PutAsync(key, new byte[] { 7, 7, 7 }, "image/webp", CancellationToken.None);

        // "localhost" stands in for a CDN in front of the same server.
        var publicBase = $"http://localhost:{s3.Port}/";
        using var store = s3.CreateStore(publicBaseUrl: publicBase);
        var url = store.UrlFor(key);
        Assert.StartsWith($"http://localhost:{s3.Port}/{s3.Bucket}/{key}?", url, StringComparison.Ordinal);
        Assert.Contains("X-Amz-Signature=", url, StringComparison.Ordinal);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal(new byte[] { 7, 7, 7 }, await http.GetByteArrayAsync(url));

        Assert.Equal("https://cdn.example.com/b/k.png?X-Amz-Expires=60", S3ObjectStore.WithBase("http://127.0.0.1:9000/b/k.png?X-Amz-Expires=60", "https://cdn.example.com"));
        Assert.Equal("https://cdn.example.com/b/k.png?q", S3ObjectStore.WithBase("https://s3.eu-west-1.amazonaws.com/b/k.png?q", "https://cdn.example.com/"));
    }

    [Fact]
    public async Task The_app_on_s3_serves_presigned_images_and_deletes_their_objects()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings().With(s3.AppSettings()));
        var user = await server.RegisterAsync();
        var job = await user.GenerateAsync(TestUser.Request(width: 96, height: 64, steps: 2, seed: 5));
        var image = Assert.Single(job.Images);

        // The URLs in the API are S3 presigned GETs on the bucket, fetched with a plain client (no base address, no token).
        var keys = new[]
        {
            ObjectKeys.Original(user.Id, image.Id),
            ObjectKeys.Thumbnail(user.Id, image.Id, 256),
            ObjectKeys.Thumbnail(user.Id, image.Id, 512),
        };
        var urls = new[] { image.Url, image.ThumbnailUrl, image.Thumbnail512Url };
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.StartsWith($"{s3.ServiceUrl}/{s3.Bucket}/{keys[i]}?", urls[i], StringComparison.Ordinal);
            Assert.Equal("3600", HttpUtility.ParseQueryString(new Uri(urls[i]).Query)["X-Amz-Expires"]);
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var original = await http.GetAsync(image.Url);
        Assert.Equal(HttpStatusCode.OK, original.StatusCode);
        Assert.Equal("image/png", original.Content.Headers.ContentType?.MediaType);
        var png = await original.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        using var thumbnail = await http.GetAsync(image.ThumbnailUrl);
        Assert.Equal("image/webp", thumbnail.Content.Headers.ContentType?.MediaType);
        var webp = await thumbnail.Content.ReadAsByteArrayAsync();
        Assert.True(WebPSize.IsWebP(webp));
        Assert.True(WebPSize.Read(webp) is { Width: <= 256, Height: <= 256 });

        // The gallery hands out the same kind of URL, and the token route reads through the store.
        var listed = await user.Client.GetFromJsonAsync<ImageBody>($"/api/v1/images/{image.Id}", Json.Options);
        Assert.StartsWith($"{s3.ServiceUrl}/{s3.Bucket}/{keys[0]}?", listed!.Url, StringComparison.Ordinal);
        Assert.Equal(png, await user.Client.GetByteArrayAsync($"/api/v1/images/{image.Id}/content"));

        // The objects are in the bucket, and nothing went to the local data folder.
        using var store = s3.CreateStore();
        foreach (var key in keys)
        {
            var found = await store.GetAsync(key, CancellationToken.None);
            Assert.NotNull(found);
            await found.Content.DisposeAsync();
        }

        // The trash keeps the objects; deleting from the trash removes them.
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/images/{image.Id}")).StatusCode);
        foreach (var key in keys)
        {
            var kept = await store.GetAsync(key, CancellationToken.None);
            Assert.NotNull(kept);
            await kept.Content.DisposeAsync();
        }

        var deleted = await user.Client.DeleteAsync($"/api/v1/images/{image.Id}?permanent=true");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        foreach (var key in keys)
        {
            Assert.Null(await store.GetAsync(key, CancellationToken.None));
        }

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(image.Url)).StatusCode);
        var objects = Path.Combine(server.DataPath, "objects");
        Assert.False(Directory.Exists(objects) && Directory.EnumerateFileSystemEntries(objects).Any(), $"{objects} should be empty on S3.");
    }

    [Theory]
    [InlineData("Storage:Provider", "azure", "Storage__Provider must be local or s3, not 'azure'.")]
    [InlineData("Storage:S3:Bucket", "", "Storage__Provider is s3: set Storage__S3__Bucket.")]
    [InlineData("Storage:S3:ServiceUrl", "", "Storage__Provider is s3: set Storage__S3__ServiceUrl")]
    [InlineData("Storage:S3:ServiceUrl", "ftp://127.0.0.1", "Storage__S3__ServiceUrl must be an absolute http or https URL")]
    [InlineData("Storage:S3:PresignSeconds", "604801", "Storage__S3__PresignSeconds must be between 1 and 604800")]
    public void Bad_storage_settings_stop_the_server_at_startup_with_a_clear_message(string key, string value, string message)
    {
        var settings = s3.AppSettings();
        settings[key] = value;
        var dataPath = Path.Combine(Path.GetTempPath(), "pingvas-tests", Guid.NewGuid().ToString("N"));
        try
        {
            // Building the host is where the process would stop: before migrations, listening or any request.
            string[] args = ["serve", "--urls", "http://127.0.0.1:0", "--data", dataPath, .. settings.Select(s => $"--{s.Key}={s.Value}")];
            var error = Assert.Throws<InvalidOperationException>(() => PingvasApp.Build(args));
            Assert.Contains(message, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(dataPath))
            {
                Directory.Delete(dataPath, recursive: true);
            }
        }
    }

    private static async Task<byte[]> ReadAllAsync(StoredObject found)
    {
        await using var content = found.Content;
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy);
        return copy.ToArray();
    }
}
