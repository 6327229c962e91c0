using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Web;

using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Hosting;
using Pingvas.Server.Storage;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Storage;

/// <summary>
/// CloudFront signed URLs with a canned policy, checked as CloudFront checks them (AWS, "Create a signed
/// URL using a canned policy"): the policy JSON rebuilt byte for byte from the URL's resource and
/// Expires, the signature turned back from CloudFront's URL-safe base64 and verified with RSA-SHA1 and
/// the public key of a key pair made in the test; refused once Expires has passed.
/// </summary>
public sealed class CloudFrontUrlTests(S3ServerFixture fixture) : IClassFixture<S3ServerFixture>
{
    private const string Domain = "d111111abcdef8.cloudfront.net";
    private const string KeyPairId = "K2JCJMDEHXQW5F";

    [Fact]
    public void Signed_url_carries_expires_signature_and_key_pair_id_that_verify_with_the_public_key()
    {
        using var rsa = RSA.Create(2048);
        var time = new ShiftableTimeProvider();
        using var urls = new CloudFrontUrls(Options(rsa.ExportRSAPrivateKeyPem()), ImportPrivate(rsa), TimeSpan.FromHours(1), time);
        var key = $"users/{Guid.NewGuid():N}/images/{Guid.NewGuid():N}.png";

        var url = urls.UrlFor(key);
        var (resource, expires) = Verify(url, rsa, time);
        Assert.Equal($"https://{Domain}/{key}", resource);

        // Expiry: the configured lifetime from now, rounded up to the minute (stable within a minute).
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        Assert.InRange(expires, now + 3600, now + 3660);
        Assert.Equal(0, expires % 60);
        Assert.Equal(url, urls.UrlFor(key));

        // An explicit lifetime (a worker's short link) gives its own expiry.
        var (_, shortExpires) = Verify(urls.UrlFor(key, TimeSpan.FromMinutes(2)), rsa, time);
        Assert.InRange(shortExpires, now + 120, now + 180);

        // Tampering with the resource or the expiry breaks the signature.
        Assert.False(SignatureValid(url.Replace(".png", "_256.webp", StringComparison.Ordinal), rsa));
        Assert.False(SignatureValid(url.Replace($"Expires={expires}", $"Expires={expires + 60}", StringComparison.Ordinal), rsa));

        // CloudFront refuses the URL once Expires has passed; a URL made then is valid again.
        time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(2));
        Assert.False(Valid(url, rsa, time));
        Assert.True(Valid(urls.UrlFor(key), rsa, time));
    }

    [Fact]
    public void Canned_policy_and_url_safe_base64_are_exactly_cloudfronts()
    {
        // AWS's example policy, whitespace removed as CloudFront requires.
        Assert.Equal(
            """{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/image.jpg","Condition":{"DateLessThan":{"AWS:EpochTime":1357034400}}}]}""",
            CloudFrontUrls.CannedPolicy("https://d111111abcdef8.cloudfront.net/image.jpg", 1357034400));

        // + → -, = → _, / → ~ (0xfb 0xff 0xbf is "+/+/" in standard base64; 0xfb alone is "+w==").
        Assert.Equal("-~-~", CloudFrontUrls.UrlSafe([0xfb, 0xff, 0xbf]));
        Assert.Equal("-w__", CloudFrontUrls.UrlSafe([0xfb]));
    }

    [Fact]
    public async Task The_app_hands_browsers_only_cloudfront_signed_urls_when_configured()
    {
        using var rsa = RSA.Create(2048);
        var keyFile = Path.Combine(Path.GetTempPath(), $"pingvas-cf-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(keyFile, rsa.ExportPkcs8PrivateKeyPem());
        try
        {
            var settings = fixture.Server.AppSettings();
            settings["Storage:CloudFront:Domain"] = Domain;
            settings["Storage:CloudFront:KeyPairId"] = KeyPairId;
            settings["Storage:CloudFront:PrivateKeyFile"] = keyFile;
            settings["Storage:S3:PresignSeconds"] = "900";
            await using var server = await PingvasServer.StartAsync(new TestSettings().With(settings));
            Assert.IsType<CloudFrontUrls>(server.Services.GetRequiredService<IObjectUrls>());

            var user = await server.RegisterAsync();
            var job = await user.GenerateAsync(TestUser.Request(width: 64, height: 64, steps: 1, seed: 11));
            var image = Assert.Single(job.Images);
            var inGallery = (await user.Client.GetFromJsonAsync<ImageBody>($"/api/v1/images/{image.Id}", Json.Options))!;
            string[] expected = [ObjectKeys.Original(user.Id, image.Id), ObjectKeys.Thumbnail(user.Id, image.Id, 256), ObjectKeys.Thumbnail(user.Id, image.Id, 512)];

            // Every URL of a private object is signed for the distribution, never an S3 or unsigned one.
            foreach (var (url, key) in new[] { image.Url, image.ThumbnailUrl, image.Thumbnail512Url }.Zip(expected)
                .Concat(new[] { inGallery.Url, inGallery.ThumbnailUrl, inGallery.Thumbnail512Url }.Zip(expected)))
            {
                var (resource, expires) = Verify(url, rsa, server.Time);
                Assert.Equal($"https://{Domain}/{key}", resource);
                Assert.InRange(expires - server.Time.GetUtcNow().ToUnixTimeSeconds(), 900, 960);
                Assert.DoesNotContain("X-Amz-", url, StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Theory]
    [InlineData("local", "KEY", "Storage__CloudFront__Domain needs Storage__Provider=s3")]
    [InlineData("s3", "", "set Storage__CloudFront__KeyPairId")]
    [InlineData("s3", "NOKEY", "set exactly one of Storage__CloudFront__PrivateKey (PEM) or Storage__CloudFront__PrivateKeyFile")]
    [InlineData("s3", "PUBLIC", "is not an RSA private key in PEM form")]
    public void Bad_cloudfront_settings_stop_the_server_at_startup(string provider, string variant, string message)
    {
        using var rsa = RSA.Create(2048);
        var settings = fixture.Server.AppSettings();
        settings["Storage:Provider"] = provider;
        settings["Storage:CloudFront:Domain"] = Domain;
        settings["Storage:CloudFront:KeyPairId"] = variant == "" ? "" : KeyPairId;
        if (variant != "NOKEY")
        {
            settings["Storage:CloudFront:PrivateKey"] = variant == "PUBLIC" ? rsa.ExportSubjectPublicKeyInfoPem() : rsa.ExportRSAPrivateKeyPem();
        }

        var dataPath = Path.Combine(Path.GetTempPath(), "pingvas-tests", Guid.NewGuid().ToString("N"));
        try
        {
            string[] args = ["serve", "--urls", "http://127.0.0.1:0", "--data", dataPath, .. settings.Select(s => $"--{s.Key}={s.Value}")];
            var error = Assert.Throws<InvalidOperationException>(() => PingvasApp.Build(args));
            Assert.Contains(message, error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE KEY-----", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(dataPath))
            {
                Directory.Delete(dataPath, recursive: true);
            }
        }
    }

    private static CloudFrontOptions Options(string pem) => new() { Domain = Domain, KeyPairId = KeyPairId, PrivateKey = pem };

    private static RSA ImportPrivate(RSA source) => Options(source.ExportRSAPrivateKeyPem()).LoadKey("s3");

    /// <summary>CloudFront's check: signature valid for the rebuilt canned policy and Expires in the future.</summary>
    private static bool Valid(string url, RSA keyPair, TimeProvider time) =>
        SignatureValid(url, keyPair) && Expires(url) > time.GetUtcNow().ToUnixTimeSeconds();

    private static (string Resource, long Expires) Verify(string url, RSA keyPair, TimeProvider time)
    {
        Assert.True(Valid(url, keyPair, time), $"{url} should be a valid CloudFront signed URL now.");
        var query = HttpUtility.ParseQueryString(new Uri(url).Query);
        Assert.Equal(new string?[] { "Expires", "Signature", "Key-Pair-Id" }, query.AllKeys);
        Assert.Equal(KeyPairId, query["Key-Pair-Id"]);
        Assert.DoesNotMatch("[+=/]", query["Signature"]!);
        return (url[..url.IndexOf('?', StringComparison.Ordinal)], Expires(url));
    }

    private static long Expires(string url) =>
        long.Parse(HttpUtility.ParseQueryString(new Uri(url).Query)["Expires"]!, CultureInfo.InvariantCulture);

    /// <summary>Verifies with only the public half, exported and imported as CloudFront's key group holds it.</summary>
    private static bool SignatureValid(string url, RSA keyPair)
    {
        var query = HttpUtility.ParseQueryString(new Uri(url).Query);
        var resource = url[..url.IndexOf('?', StringComparison.Ordinal)];
        var policy = "{\"Statement\":[{\"Resource\":\"" + resource + "\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":" + query["Expires"] + "}}}]}";
        var signature = Convert.FromBase64String(query["Signature"]!.Replace('-', '+').Replace('_', '=').Replace('~', '/'));
        using var publicKey = RSA.Create();
        publicKey.ImportFromPem(keyPair.ExportSubjectPublicKeyInfoPem());
        return publicKey.VerifyData(Encoding.UTF8.GetBytes(policy), signature, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);
    }
}
