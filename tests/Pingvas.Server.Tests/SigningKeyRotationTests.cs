using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Accounts.External;
using Pingvas.Server.Hosting;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Tests.Sharing;
using Pingvas.Server.Tests.Webhooks;

namespace Pingvas.Server.Tests;

/// <summary>
/// Rotating <c>Auth:SigningKey</c> from A to B with A in <c>Auth:PreviousSigningKeys</c>: what was
/// signed under A (access tokens, signed URLs, share unlock cookies, external sign-in state) still
/// verifies, a session carries on by refreshing, and stored webhook secrets are re-encrypted under B
/// where migrations run, so that once A is dropped everything of A is refused and webhooks keep
/// signing with the secrets their receivers hold. On both databases (PINGVAS_TEST_DATABASE).
/// </summary>
public sealed class SigningKeyRotationTests
{
    private const string Current = "Auth:SigningKey";
    private const string Previous = "Auth:PreviousSigningKeys:0";

    private static readonly string KeyA = NewKey();
    private static readonly string KeyB = NewKey();

    [Fact]
    public async Task Everything_signed_under_the_previous_key_works_until_it_is_dropped_and_the_session_survives_by_refreshing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await PingvasServer.StartAsync(new TestSettings()
            .With(Current, KeyA)
            .With("Webhooks:AllowPrivateTargets", "true")
            .With("Outbox:PollMilliseconds", "100"));

        // Under A: a session, a signed image URL, an unlocked password share, a webhook endpoint, a protected OAuth state.
        var user = await server.RegisterAsync();
        var image = (await user.GenerateAsync(TestUser.Request(steps: 1))).Images.Single();
        var share = await user.ShareAsync(new { imageId = image.Id, password = "open sesame" });
        var unlock = await UnlockCookieAsync(server, share);
        var endpoint = await user.CreateEndpointAsync(receiver.Url("/hook"), "generation.succeeded");
        var protectedState = server.Services.GetRequiredService<SigningKeyDataProtection>().CreateProtector("oauth").Protect("state"u8.ToArray());
        Assert.StartsWith($"v2:{IdOf(KeyA)}:", await StoredSecretAsync(server, endpoint.Id));

        // B signs, A still verifies. On SQLite serve re-encrypts at start; on PostgreSQL `pingvas migrate` does.
        await server.RestartAsync(new Dictionary<string, string?> { [Current] = KeyB, [Previous] = KeyA });

        using (var old = server.CreateClient(user.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, (await old.GetAsync("/api/v1/me")).StatusCode);
        }

        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(image.Url)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await OpenWithCookieAsync(server, share, unlock)).StatusCode);
        Assert.Equal("state"u8.ToArray(), server.Services.GetRequiredService<SigningKeyDataProtection>().CreateProtector("oauth").Unprotect(protectedState));

        // The session carries on: the refresh token is a database row, the new access token is B's.
        var refreshed = await anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = user.RefreshToken });
        Assert.True(refreshed.StatusCode == HttpStatusCode.OK, await refreshed.Content.ReadAsStringAsync());
        var session = (await refreshed.Content.ReadFromJsonAsync<TokenBody>(Json.Options))!;
        Assert.Equal(IdOf(KeyB), KeyIdOf(session.AccessToken));
        Assert.NotEqual(KeyIdOf(session.AccessToken), KeyIdOf(user.AccessToken));

        // The endpoint's secret moved to B and still signs deliveries the receiver verifies with the secret it was given.
        Assert.StartsWith($"v2:{IdOf(KeyB)}:", await StoredSecretAsync(server, endpoint.Id));
        await SendTestAndVerifyAsync(server, receiver, session.AccessToken, endpoint, expected: 1);

        // A dropped: everything of A is refused, the refreshed session and the webhook carry on.
        await server.RestartAsync(new Dictionary<string, string?> { [Previous] = null });

        using (var old = server.CreateClient(user.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await old.GetAsync("/api/v1/me")).StatusCode);
        }

        using var later = server.CreateClient();
        await ProblemAssert.ReadAsync(await later.GetAsync(image.Url), HttpStatusCode.Forbidden, "invalid_signature");
        await ProblemAssert.ReadAsync(await OpenWithCookieAsync(server, share, unlock), HttpStatusCode.Unauthorized, "share_password_required");
        Assert.ThrowsAny<CryptographicException>(() =>
            server.Services.GetRequiredService<SigningKeyDataProtection>().CreateProtector("oauth").Unprotect(protectedState));

        using (var signedIn = server.CreateClient(session.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/api/v1/me")).StatusCode);
        }

        await SendTestAndVerifyAsync(server, receiver, session.AccessToken, endpoint, expected: 2);
    }

    [Fact]
    public async Task Secrets_stored_before_key_ids_and_rotated_ones_are_re_encrypted_and_decrypt_with_the_new_key_alone()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await PingvasServer.StartAsync(new TestSettings()
            .With(Current, KeyA)
            .With("Webhooks:AllowPrivateTargets", "true")
            .With("Outbox:PollMilliseconds", "100"));
        var user = await server.RegisterAsync();
        var defaultSecret = await DefaultSecretAsync(server, user.AccessToken);

        // An endpoint whose secret was rotated with an overlap: both its current and its previous secret are stored encrypted.
        var endpoint = await user.CreateEndpointAsync(receiver.Url("/rotated"), "generation.succeeded");
        var rotated = await user.Client.PostAsJsonAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/rotate-secret", new { overlapHours = 24 });
        Assert.True(rotated.StatusCode == HttpStatusCode.OK, await rotated.Content.ReadAsStringAsync());
        var newSecret = (await rotated.Content.ReadFromJsonAsync<SecretBody>(Json.Options))!.Secret;

        // What a server before key ids wrote (v1: + base64, no key id) for the account's default secret.
        await server.QueryAsync(db => db.WebhookDefaultSecrets.Where(s => s.UserId == user.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Secret, LegacyCiphertext(KeyA, defaultSecret, user.Id))));

        // Without a rotation a v1 row is left as it is (an image from before key ids still reads it after a roll-back).
        await server.RestartAsync(new Dictionary<string, string?>());
        Assert.StartsWith("v1:", await DefaultStoredAsync(server, user.Id));
        Assert.Equal(defaultSecret, await DefaultSecretAsync(server, await SignInAsync(server, user)));

        await server.RestartAsync(new Dictionary<string, string?> { [Current] = KeyB, [Previous] = KeyA });
        var stored = await server.QueryAsync(db => db.WebhookEndpoints.AsNoTracking().SingleAsync(e => e.Id == endpoint.Id));
        Assert.StartsWith($"v2:{IdOf(KeyB)}:", stored.Secret);
        Assert.StartsWith($"v2:{IdOf(KeyB)}:", stored.PreviousSecret);
        Assert.StartsWith($"v2:{IdOf(KeyB)}:", await DefaultStoredAsync(server, user.Id));

        // With B alone every stored secret still decrypts: the default secret reads back, and a delivery carries both signatures of the overlap.
        await server.RestartAsync(new Dictionary<string, string?> { [Previous] = null });
        var session = await SignInAsync(server, user);
        Assert.Equal(defaultSecret, await DefaultSecretAsync(server, session));
        using var client = server.CreateClient(session);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/test", null)).StatusCode);
        var message = (await receiver.WaitForReceivedAsync("/rotated", 1)).Single();
        Assert.True(await WebhookVerifier.VerifiesAsync(message, newSecret, server.Time.GetUtcNow()));
        Assert.True(await WebhookVerifier.VerifiesAsync(message, endpoint.Secret!, server.Time.GetUtcNow()));
    }

    [Fact]
    public async Task Startup_refuses_a_previous_key_shorter_than_32_characters()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => PingvasServer.StartAsync(new TestSettings()
            .With(Current, KeyB)
            .With(Previous, "too-short-to-be-a-real-key")));
        Assert.Contains("Auth:PreviousSigningKeys:0", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("too-short-to-be-a-real-key", refused.Message, StringComparison.Ordinal);
    }

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    private static string IdOf(string key) => SigningKey.From(Encoding.UTF8.GetBytes(key)).Id;

    /// <summary>The <c>kid</c> of a JWT's header.</summary>
    private static string? KeyIdOf(string jwt)
    {
        var header = JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(jwt.Split('.')[0])).RootElement;
        return header.TryGetProperty("kid", out var kid) ? kid.GetString() : null;
    }

    /// <summary>The <c>v1:</c> form: AES-256-GCM under HKDF(token key, "pingvas/webhook-secrets/v1"), owner as associated data.</summary>
    private static string LegacyCiphertext(string signingKey, string secret, Guid owner)
    {
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, SigningKey.From(Encoding.UTF8.GetBytes(signingKey)).TokenKey, 32, info: "pingvas/webhook-secrets/v1"u8.ToArray());
        var plain = Encoding.UTF8.GetBytes(secret);
        var output = new byte[28 + plain.Length];
        RandomNumberGenerator.Fill(output.AsSpan(0, 12));
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(output.AsSpan(0, 12), plain, output.AsSpan(28), output.AsSpan(12, 16), owner.ToByteArray());
        return "v1:" + Convert.ToBase64String(output);
    }

    private static Task<string> StoredSecretAsync(PingvasServer server, Guid endpointId) =>
        server.QueryAsync(db => db.WebhookEndpoints.Where(e => e.Id == endpointId).Select(e => e.Secret).SingleAsync());

    private static Task<string> DefaultStoredAsync(PingvasServer server, Guid userId) =>
        server.QueryAsync(db => db.WebhookDefaultSecrets.Where(s => s.UserId == userId).Select(s => s.Secret).SingleAsync());

    private static async Task<string> DefaultSecretAsync(PingvasServer server, string accessToken)
    {
        using var client = server.CreateClient(accessToken);
        return (await client.GetFromJsonAsync<SecretBody>("/api/v1/webhooks/default/secret", Json.Options))!.Secret;
    }

    private static async Task<string> SignInAsync(PingvasServer server, TestUser user)
    {
        using var client = server.CreateClient();
        var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = user.Password });
        Assert.True(login.StatusCode == HttpStatusCode.OK, await login.Content.ReadAsStringAsync());
        return (await login.Content.ReadFromJsonAsync<AuthBody>(Json.Options))!.AccessToken;
    }

    // The public share routes answer untyped results the OpenAPI document does not describe (204, 200):
    // like the share tests, a plain visitor client (ShareKit.Visitor), not the checking one.

    /// <summary>Unlocks the share as a visitor and returns its unlock cookie (name=value).</summary>
    private static async Task<string> UnlockCookieAsync(PingvasServer server, ShareBody share)
    {
        using var visitor = server.Visitor();
        var unlocked = await visitor.UnlockAsync(share, "open sesame");
        Assert.Equal(HttpStatusCode.NoContent, unlocked.StatusCode);
        return unlocked.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith("pv_share_unlock=", StringComparison.Ordinal));
    }

    private static async Task<HttpResponseMessage> OpenWithCookieAsync(PingvasServer server, ShareBody share, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/public/shares/{share.Token}");
        request.Headers.Add("Cookie", cookie);
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = server.BaseAddress };
        return await client.SendAsync(request);
    }

    private static async Task SendTestAndVerifyAsync(PingvasServer server, WebhookReceiver receiver, string accessToken, EndpointBody endpoint, int expected)
    {
        using var client = server.CreateClient(accessToken);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/test", null)).StatusCode);
        var message = (await receiver.WaitForReceivedAsync("/hook", expected)).Last();
        Assert.True(await WebhookVerifier.VerifiesAsync(message, endpoint.Secret!, server.Time.GetUtcNow()));
    }

    private sealed record TokenBody(string AccessToken, string RefreshToken, int ExpiresIn);
}
