using System.Net;
using System.Net.Http.Json;

using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Storage;
using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests;

/// <summary>Signed URLs: bearer links to one object until they expire; any change to key, expiry or signature is refused.</summary>
public sealed class SignedUrlTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task A_signed_url_works_without_a_token_and_only_for_its_own_key()
    {
        var alice = await server.RegisterAsync();
        var bob = await server.RegisterAsync();
        var image = (await alice.GenerateAsync(TestUser.Request(steps: 1))).Images.Single();
        var bobs = (await bob.GenerateAsync(TestUser.Request(steps: 1))).Images.Single();
        using var anonymous = server.CreateClient();

        var ok = await anonymous.GetAsync(image.Url);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("image/png", ok.Content.Headers.ContentType?.MediaType);
        Assert.Equal(PngSignature, (await ok.Content.ReadAsByteArrayAsync())[..8]);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(image.ThumbnailUrl)).StatusCode);

        var (key, exp, sig) = Split(image.Url);
        var (bobKey, bobExp, bobSig) = Split(bobs.Url);
        var (thumbKey, _, _) = Split(image.ThumbnailUrl);
        var flipped = (sig[0] == 'A' ? "B" : "A") + sig[1..];
        string[] tampered =
        [
            Url(key, exp, flipped),                 // signature changed
            Url(key, exp, sig[..^1]),               // signature shortened
            Url(key, exp, sig + "A"),               // signature lengthened
            Url(key, exp, ""),                      // signature empty
            Url(bobKey, exp, sig),                  // another user's key with this signature
            Url(key, bobExp, bobSig),               // this key with another user's signature
            Url(thumbKey, exp, sig),                // the thumbnail's key with the original's signature
            Url(key, (long.Parse(exp) + 3600).ToString(), sig), // expiry pushed back
            $"{UrlSigner.Route}{key}?sig={sig}",    // no expiry
            $"{UrlSigner.Route}{key}?exp={exp}",    // no signature
            $"{UrlSigner.Route}{key}",              // neither
        ];
        foreach (var url in tampered)
        {
            var problem = await AssertProblemAsync(await anonymous.GetAsync(url), HttpStatusCode.Forbidden, "invalid_signature");
            Assert.DoesNotContain(sig, problem.ToJsonString(), StringComparison.Ordinal);
        }

        // A bearer token does not stand in for the signature either.
        await AssertProblemAsync(await alice.Client.GetAsync($"{UrlSigner.Route}{key}"), HttpStatusCode.Forbidden, "invalid_signature");
    }

    [Fact]
    public async Task A_signed_url_expires_and_a_fresh_one_is_issued()
    {
        var user = await server.RegisterAsync();
        var image = (await user.GenerateAsync(TestUser.Request(steps: 1))).Images.Single();
        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(image.ThumbnailUrl)).StatusCode);
        var (_, exp, _) = Split(image.Url);
        var expires = DateTimeOffset.FromUnixTimeSeconds(long.Parse(exp));
        Assert.InRange(expires - server.Time.GetUtcNow(), TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));

        await server.JumpClockAsync(TimeSpan.FromHours(2));
        foreach (var url in new[] { image.Url, image.ThumbnailUrl, image.Thumbnail512Url })
        {
            await AssertProblemAsync(await anonymous.GetAsync(url), HttpStatusCode.Forbidden, "invalid_signature");
        }

        // The owner signs in again (the old access token has expired too) and gets a working link.
        var login = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = user.Password });
        var auth = await login.Content.ReadFromJsonAsync<AuthBody>(Json.Options);
        using var client = server.CreateClient(auth!.AccessToken);
        var fresh = await client.GetFromJsonAsync<ImageBody>($"/api/v1/images/{image.Id}", Json.Options);
        Assert.NotEqual(image.Url, fresh!.Url);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(fresh.Url)).StatusCode);
    }

    [Theory]
    [InlineData("../secrets/signing-key")]
    [InlineData("users/../../secrets/signing-key")]
    [InlineData("%2e%2e/secrets/signing-key")]
    [InlineData("%2E%2E%2Fsecrets%2Fsigning-key")]
    [InlineData("..%2fsecrets%2fsigning-key")]
    [InlineData("users/%2e%2e/%2e%2e/secrets/signing-key")]
    [InlineData("%252e%252e%252fsecrets%252fsigning-key")]
    [InlineData("..%5csecrets%5csigning-key")]
    [InlineData(".%2e/secrets/signing-key")]
    [InlineData("%2fetc%2fpasswd")]
    [InlineData("secrets/signing-key")]
    [InlineData("../pingvas.db")]
    public async Task A_traversal_key_never_reaches_files_outside_the_object_store(string rawKey)
    {
        // On PostgreSQL the key comes from configuration; plant a file where the embedded default keeps it.
        var secretFile = Path.Combine(server.DataPath, "secrets", "signing-key");
        if (!File.Exists(secretFile))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(secretFile)!);
            await File.WriteAllTextAsync(secretFile, Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
        }

        var secret = await File.ReadAllTextAsync(secretFile);
        var signer = server.Services.GetRequiredService<UrlSigner>();
        using var anonymous = server.CreateClient();

        // Even with a valid signature for every way the server could decode the key (as if the signing key had leaked
        // for one object), the store answers only for keys it could have produced itself.
        var decoded = Uri.UnescapeDataString(rawKey);
        foreach (var signedKey in new[] { rawKey, decoded, Uri.UnescapeDataString(decoded), decoded.Replace('\\', '/') }.Distinct())
        {
            var (_, exp, sig) = Split(signer.Sign(signedKey));
            var uri = new Uri($"{server.BaseAddress.ToString().TrimEnd('/')}{UrlSigner.Route}{rawKey}?exp={exp}&sig={sig}",
                new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
            var response = await anonymous.GetAsync(uri);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.BadRequest,
                $"{uri.OriginalString} answered {(int)response.StatusCode}: {body}");
            Assert.DoesNotContain(secret.Trim(), body, StringComparison.Ordinal);
            Assert.DoesNotContain("SQLite format", body, StringComparison.Ordinal);
        }
    }

    private static string Url(string key, string exp, string sig) => $"{UrlSigner.Route}{key}?exp={exp}&sig={sig}";

    private static (string Key, string Exp, string Sig) Split(string url)
    {
        Assert.StartsWith(UrlSigner.Route, url, StringComparison.Ordinal);
        var uri = new Uri(new Uri("http://x"), url);
        var query = uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        return (uri.AbsolutePath[UrlSigner.Route.Length..], query["exp"], query["sig"]);
    }
}
