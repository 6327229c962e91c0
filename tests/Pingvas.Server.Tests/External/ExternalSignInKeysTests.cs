using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

using Pingvas.Server.Accounts.External;
using Pingvas.Server.Hosting;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.External;

/// <summary>The OAuth state and round-trip cookie are readable by every process that shares Auth:SigningKey, and by no other.</summary>
public sealed class ExternalSignInKeysTests
{
    [Fact]
    public void State_protected_by_one_process_is_read_by_another_with_the_same_signing_key_only()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var writer = Protector(key, "state");
        var payload = Encoding.UTF8.GetBytes("{\"code_verifier\":\"...\"}");
        var sealedState = writer.Protect(payload);

        Assert.Equal(payload, Protector(key, "state").Unprotect(sealedState));
        Assert.ThrowsAny<CryptographicException>(() => Protector(Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)), "state").Unprotect(sealedState));
        // Another purpose (the cookie, another provider) has its own key.
        Assert.ThrowsAny<CryptographicException>(() => Protector(key, "cookie").Unprotect(sealedState));
        sealedState[^1] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => Protector(key, "state").Unprotect(sealedState));
    }

    private static Microsoft.AspNetCore.DataProtection.IDataProtector Protector(string signingKey, string purpose)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Auth:SigningKey"] = signingKey }).Build();
        var keys = SigningKeys.Load(configuration, new DataPaths(Path.GetTempPath()), embedded: false, NullLogger.Instance);
        return new SigningKeyDataProtection(keys).CreateProtector("Microsoft.AspNetCore.Authentication.OAuth.OAuthHandler").CreateProtector(purpose);
    }
}

/// <summary>With no client id and secret configured there is no provider: an empty list and no way in.</summary>
public sealed class ExternalSignInOffTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    [Fact]
    public async Task No_provider_configured_means_an_empty_list_and_not_found()
    {
        using var client = fixture.Server.CreateClient();
        Assert.Empty((await client.GetFromJsonAsync<string[]>("/api/v1/auth/providers"))!);
        await ProblemAssert.ReadAsync(await client.GetAsync("/api/v1/auth/external/google"), HttpStatusCode.NotFound, "unknown_provider");
        await ProblemAssert.ReadAsync(await client.GetAsync("/api/v1/auth/external/discord"), HttpStatusCode.NotFound, "unknown_provider");
    }
}

/// <summary>The local provider itself: what it refuses is what the real ones refuse, so the sign-in tests prove something.</summary>
public sealed class LocalOAuthProviderTests : IAsyncLifetime
{
    private const string Redirect = "http://127.0.0.1:9/api/v1/auth/external/google/callback";
    private LocalOAuthProvider provider = null!;

    public async Task InitializeAsync()
    {
        provider = await LocalOAuthProvider.StartAsync("google");
        provider.AllowRedirectsTo(new Uri("http://127.0.0.1:9/"));
    }

    public async Task DisposeAsync() => await provider.DisposeAsync();

    [Fact]
    public async Task A_wrong_pkce_verifier_fails_and_a_code_works_once()
    {
        var verifier = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        var wrong = await TokenAsync(http, await CodeAsync(http, verifier), verifier[..^1] + (verifier[^1] == 'A' ? 'B' : 'A'));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal("invalid_grant", (await wrong.JsonAsync()).GetProperty("error").GetString());

        var code = await CodeAsync(http, verifier);
        var right = await TokenAsync(http, code, verifier, basic: true);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        var accessToken = (await right.JsonAsync()).GetProperty("access_token").GetString();
        Assert.Equal("invalid_grant", (await (await TokenAsync(http, code, verifier)).JsonAsync()).GetProperty("error").GetString());

        using var userInfo = new HttpRequestMessage(HttpMethod.Get, new Uri(provider.BaseAddress, provider.UserInfoPath));
        userInfo.Headers.Authorization = new("Bearer", accessToken);
        var me = await (await http.SendAsync(userInfo)).JsonAsync();
        Assert.Equal(provider.User.Subject, me.GetProperty("sub").GetString());
        Assert.True(me.GetProperty("email_verified").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri(provider.BaseAddress, provider.UserInfoPath))).StatusCode);
    }

    [Fact]
    public async Task Authorization_without_pkce_or_state_is_refused_and_a_foreign_redirect_is_never_followed()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var noPkce = await http.GetAsync(Authorize("state=abc"));
        Assert.Equal("invalid_request", noPkce.Headers.Location!.Query("error"));
        var noState = await http.GetAsync(Authorize($"code_challenge={LocalOAuthProvider.Challenge(new string('a', 43))}&code_challenge_method=S256"));
        Assert.Equal("invalid_request", noState.Headers.Location!.Query("error"));

        var foreign = await http.GetAsync(new Uri(provider.BaseAddress,
            $"{provider.AuthorizePath}?client_id={LocalOAuthProvider.ClientId}&response_type=code&redirect_uri={Uri.EscapeDataString("https://evil.example/cb")}&state=a"));
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Null(foreign.Headers.Location);
    }

    private Uri Authorize(string extra) => new(provider.BaseAddress,
        $"{provider.AuthorizePath}?client_id={LocalOAuthProvider.ClientId}&response_type=code&scope=openid&redirect_uri={Uri.EscapeDataString(Redirect)}&{extra}");

    private async Task<string> CodeAsync(HttpClient http, string verifier)
    {
        var response = await http.GetAsync(Authorize($"state=s1&code_challenge={LocalOAuthProvider.Challenge(verifier)}&code_challenge_method=S256"));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("s1", response.Headers.Location!.Query("state"));
        return response.Headers.Location!.Query("code")!;
    }

    private async Task<HttpResponseMessage> TokenAsync(HttpClient http, string code, string verifier, bool basic = false)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = Redirect, ["code_verifier"] = verifier };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(provider.BaseAddress, provider.TokenPath));
        if (basic)
        {
            request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{LocalOAuthProvider.ClientId}:{LocalOAuthProvider.ClientSecret}")));
        }
        else
        {
            form["client_id"] = LocalOAuthProvider.ClientId;
            form["client_secret"] = LocalOAuthProvider.ClientSecret;
        }

        request.Content = new FormUrlEncodedContent(form);
        return await http.SendAsync(request);
    }
}
