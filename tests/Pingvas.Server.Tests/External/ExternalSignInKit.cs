using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.External;

/// <summary>A server with Google and Discord both pointed at local OAuth servers (started first: the server reads their addresses).</summary>
public sealed class ExternalSignInServer : IAsyncLifetime
{
    public LocalOAuthProvider Google { get; private set; } = null!;

    public LocalOAuthProvider Discord { get; private set; } = null!;

    public PingvasServer Server { get; private set; } = null!;

    public LocalOAuthProvider Provider(string name) => name == "google" ? Google : Discord;

    public async Task InitializeAsync()
    {
        Google = await LocalOAuthProvider.StartAsync("google");
        Discord = await LocalOAuthProvider.StartAsync("discord");
        Server = await PingvasServer.StartAsync(new TestSettings().With(Google.Settings()).With(Discord.Settings()));
        Google.AllowRedirectsTo(Server.BaseAddress);
        Discord.AllowRedirectsTo(Server.BaseAddress);
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (Google is not null)
        {
            await Google.DisposeAsync();
        }

        if (Discord is not null)
        {
            await Discord.DisposeAsync();
        }
    }
}

/// <summary>
/// A browser stand-in: one cookie jar, redirects followed by hand across the server and the
/// provider, so each hop can be looked at (and tampered with).
/// </summary>
public sealed class BrowserSession : IDisposable
{
    private readonly HttpClient client;

    public BrowserSession()
    {
        client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = Cookies, UseCookies = true }) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public CookieContainer Cookies { get; } = new();

    public Task<HttpResponseMessage> GetAsync(Uri uri) => client.GetAsync(uri);

    public Task<HttpResponseMessage> PostFormAsync(Uri uri, Dictionary<string, string> form) => client.PostAsync(uri, new FormUrlEncodedContent(form));

    /// <summary>Follows redirects from <paramref name="start"/> until one points at the web app's /signin/external; returns that address.</summary>
    public async Task<Uri> FollowToWebAppAsync(Uri start)
    {
        var next = start;
        for (var hop = 0; hop < 10; hop++)
        {
            using var response = await client.GetAsync(next);
            next = await RedirectOf(response, next);
            if (next.AbsolutePath == "/signin/external")
            {
                return next;
            }
        }

        throw new InvalidOperationException("Too many redirects.");
    }

    public static async Task<Uri> RedirectOf(HttpResponseMessage response, Uri from)
    {
        if ((int)response.StatusCode is < 300 or >= 400 || response.Headers.Location is null)
        {
            throw new InvalidOperationException($"Expected a redirect from {from}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return new Uri(from, response.Headers.Location);
    }

    public void Dispose() => client.Dispose();
}

public static class ExternalSignIn
{
    public static Uri Start(this PingvasServer server, string provider, string? returnUrl = null) =>
        new(server.BaseAddress, $"/api/v1/auth/external/{provider}" + (returnUrl is null ? "" : $"?returnUrl={Uri.EscapeDataString(returnUrl)}"));

    /// <summary>A whole sign-in in a fresh browser: where it lands in the web app.</summary>
    public static async Task<Uri> SignInAsync(this ExternalSignInServer fixture, string provider, LocalOAuthProvider.Identity identity, string? returnUrl = null)
    {
        fixture.Provider(provider).User = identity;
        using var browser = new BrowserSession();
        return await browser.FollowToWebAppAsync(fixture.Server.Start(provider, returnUrl));
    }

    public static string? Query(this Uri uri, string name) =>
        System.Web.HttpUtility.ParseQueryString(uri.Query)[name];

    public static async Task<HttpResponseMessage> ExchangeAsync(this PingvasServer server, string? code)
    {
        using var client = server.CreateClient();
        return await client.PostAsJsonAsync("/api/v1/auth/external/exchange", new { code });
    }

    /// <summary>Signs in through the provider and trades the code: the session a password sign-in would get.</summary>
    public static async Task<AuthBody> SignInForTokensAsync(this ExternalSignInServer fixture, string provider, LocalOAuthProvider.Identity identity)
    {
        var landed = await fixture.SignInAsync(provider, identity);
        Assert.True(landed.Query("code") is not null, $"No code: {landed}");
        var response = await fixture.Server.ExchangeAsync(landed.Query("code"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<AuthBody>(Json.Options))!;
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
