using System.Net;
using System.Security.Cryptography;

using Pingvas.Server.Tests.Infrastructure;

using Identity = Pingvas.Server.Tests.Infrastructure.LocalOAuthProvider.Identity;

namespace Pingvas.Server.Tests.External;

/// <summary>
/// Behind a load balancer the callback and the exchange can reach other api processes than the
/// one that sent the browser to the provider. Two servers on one PostgreSQL database that share
/// Auth:SigningKey (and App:PublicUrl, as a deployment does) finish each other's sign-ins; a
/// process with another key cannot read the state.
/// </summary>
public sealed class ExternalSignInAcrossProcessesTests
{
    [Fact]
    public async Task A_sign_in_started_on_one_process_finishes_on_another()
    {
        await using var google = await LocalOAuthProvider.StartAsync("google");
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var database = await TestDatabase.CreatePostgresAsync();
        var settings = new TestSettings().With(google.Settings()).With("Auth:SigningKey", key);
        await using var first = await PingvasServer.StartAsync(settings, database: database);
        // The public address is the first process's: both build the same redirect URI, as behind one host name.
        await using var second = await PingvasServer.StartAsync(settings.With("App:PublicUrl", first.BaseAddress.ToString()), database: database);
        await using var stranger = await PingvasServer.StartAsync(
            settings.With("App:PublicUrl", first.BaseAddress.ToString()).With("Auth:SigningKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(48))),
            database: database);
        google.AllowRedirectsTo(first.BaseAddress);

        google.User = Identity.Random();
        using var browser = new BrowserSession();
        var callback = await CallbackAsync(browser, first);

        // The other key: the state is unreadable there.
        Assert.Equal("invalid_state", (await browser.FollowToWebAppAsync(OnServer(callback, stranger))).Query("error"));

        callback = await CallbackAsync(browser, first);
        var landed = await browser.FollowToWebAppAsync(OnServer(callback, second));
        Assert.NotNull(landed.Query("code"));
        var exchanged = await first.ExchangeAsync(landed.Query("code"));
        Assert.Equal(HttpStatusCode.OK, exchanged.StatusCode);
        Assert.Equal(google.User.Email, (await exchanged.JsonAsync()).GetProperty("user").GetProperty("email").GetString());
    }

    private static async Task<Uri> CallbackAsync(BrowserSession browser, PingvasServer server)
    {
        var authorize = await BrowserSession.RedirectOf(await browser.GetAsync(server.Start("google")), server.BaseAddress);
        return await BrowserSession.RedirectOf(await browser.GetAsync(authorize), authorize);
    }

    /// <summary>The same request sent to another process (cookies are per host, not per port, so they follow).</summary>
    private static Uri OnServer(Uri callback, PingvasServer server) => new UriBuilder(callback) { Port = server.BaseAddress.Port }.Uri;
}
