using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Tests.Infrastructure;

using Identity = Pingvas.Server.Tests.Infrastructure.LocalOAuthProvider.Identity;

namespace Pingvas.Server.Tests.External;

/// <summary>
/// Sign-in with Google and Discord through the real OAuth code flow: the server's stock handler
/// against local servers that follow the providers' documents, over HTTP, hop by hop.
/// </summary>
public sealed class ExternalSignInTests(ExternalSignInServer fixture) : IClassFixture<ExternalSignInServer>
{
    private PingvasServer Server => fixture.Server;

    [Fact]
    public async Task Providers_lists_the_configured_ones()
    {
        using var client = Server.CreateClient();
        Assert.Equal(["google", "discord"], (await client.GetFromJsonAsync<string[]>("/api/v1/auth/providers"))!);
    }

    [Theory]
    [InlineData("google")]
    [InlineData("discord")]
    public async Task A_new_person_gets_a_verified_account_with_the_free_credits_and_comes_back_to_it(string provider)
    {
        var identity = Identity.Random();
        var before = fixture.Provider(provider).TokenRequests.Count;
        var first = await fixture.SignInForTokensAsync(provider, identity);

        Assert.Equal(identity.Email, first.User.Email);
        Assert.Equal("Ada Lovelace", first.User.Name);
        Assert.Equal("free", first.User.Plan.Id);
        Assert.True(first.User.Plan.MonthlyCredits > 0);
        Assert.Equal(first.User.Plan.MonthlyCredits, first.User.Credits.Balance);
        var user = await Server.QueryAsync(db => db.Users.SingleAsync(u => u.Id == first.User.Id));
        Assert.NotNull(user.EmailVerifiedAt);
        Assert.Equal("", user.PasswordHash);

        // The handler authenticated with its secret in the form and proved PKCE with the verifier.
        var token = fixture.Provider(provider).TokenRequests.Skip(before).Single();
        Assert.Equal("post", token.ClientAuthentication);
        Assert.Equal("authorization_code", token.Form["grant_type"]);
        Assert.True(token.Form["code_verifier"].Length >= 43);

        // The access token works like a password session's.
        using var signedIn = Server.CreateClient(first.AccessToken);
        var me = await signedIn.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        // No password yet: the account page offers a reset link instead of "change password".
        Assert.False((bool)JsonNode.Parse(await me.Content.ReadAsStringAsync())!["hasPassword"]!);

        var second = await fixture.SignInForTokensAsync(provider, identity with { Email = $"changed-{identity.Email}" });
        Assert.Equal(first.User.Id, second.User.Id);
        Assert.Equal(1, await Server.QueryAsync(db => db.ExternalLogins.CountAsync(l => l.UserId == first.User.Id)));
        Assert.Equal(first.User.Plan.MonthlyCredits, second.User.Credits.Balance);
    }

    [Fact]
    public async Task A_verified_email_links_to_the_existing_verified_password_account()
    {
        var account = await Server.RegisterAsync();
        var session = await fixture.SignInForTokensAsync("google", Identity.Random(email: account.Email.ToUpperInvariant()));

        Assert.Equal(account.Id, session.User.Id);
        using var linked = Server.CreateClient(session.AccessToken);
        Assert.True((bool)(await linked.GetFromJsonAsync<JsonObject>("/api/v1/me", Json.Options))!["hasPassword"]!);
        Assert.Equal(1, await Server.QueryAsync(db => db.Users.CountAsync(u => u.Email == account.Email)));
        Assert.Equal("google", (await Server.QueryAsync(db => db.ExternalLogins.SingleAsync(l => l.UserId == account.Id))).Provider);

        // The password still works, and Discord with the same verified address links as well.
        using var anonymous = Server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = account.Email, password = account.Password })).StatusCode);
        Assert.Equal(account.Id, (await fixture.SignInForTokensAsync("discord", Identity.Random(email: account.Email))).User.Id);
    }

    [Fact]
    public async Task An_unverified_local_account_is_never_linked()
    {
        // Someone registered the owner's address without proving it (pre-registration takeover).
        var squatter = await Server.RegisterAsync();
        await Server.QueryAsync(db => db.Users.Where(u => u.Id == squatter.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.EmailVerifiedAt, (DateTime?)null)));

        var landed = await fixture.SignInAsync("google", Identity.Random(email: squatter.Email));

        Assert.Equal("account_unverified", landed.Query("error"));
        Assert.Null(landed.Query("code"));
        Assert.False(await Server.QueryAsync(db => db.ExternalLogins.AnyAsync(l => l.UserId == squatter.Id)));
    }

    [Theory]
    [InlineData("google")]
    [InlineData("discord")]
    public async Task An_address_the_provider_has_not_verified_is_refused(string provider)
    {
        var identity = Identity.Random(emailVerified: false);
        var landed = await fixture.SignInAsync(provider, identity);

        Assert.Equal("email_unverified", landed.Query("error"));
        Assert.False(await Server.QueryAsync(db => db.Users.AnyAsync(u => u.Email == identity.Email)));
    }

    [Fact]
    public async Task A_suspended_account_is_refused()
    {
        var identity = Identity.Random();
        var session = await fixture.SignInForTokensAsync("google", identity);
        var unused = await fixture.SignInAsync("google", identity);
        await Server.QueryAsync(db => db.Users.Where(u => u.Id == session.User.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.Suspended, true)));

        Assert.Equal("account_suspended", (await fixture.SignInAsync("google", identity)).Query("error"));
        // A code issued before the suspension buys nothing either.
        await ProblemAssert.ReadAsync(await Server.ExchangeAsync(unused.Query("code")), HttpStatusCode.Forbidden, "account_suspended");
    }

    [Fact]
    public async Task A_totp_account_gets_the_challenge_and_then_its_session()
    {
        var account = await Server.RegisterAsync();
        var secret = Totp.NewSecret();
        await Server.QueryAsync(db => db.Users.Where(u => u.Id == account.Id).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.TotpSecret, secret).SetProperty(u => u.TotpEnabledAt, DateTime.UtcNow)));

        var landed = await fixture.SignInAsync("google", Identity.Random(email: account.Email));
        var response = await Server.ExchangeAsync(landed.Query("code"));

        await ProblemAssert.ReadAsync(response, HttpStatusCode.Unauthorized, "totp_required");
        var challenge = (await response.JsonAsync()).GetProperty("challengeToken").GetString();
        using var anonymous = Server.CreateClient();
        var code = Totp.Code(Totp.FromBase32(secret), Totp.StepAt(Server.Time.GetUtcNow()));
        var done = await anonymous.PostAsJsonAsync("/api/v1/auth/login/totp", new { challengeToken = challenge, code });
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal(account.Id, (await done.Content.ReadFromJsonAsync<AuthBody>(Json.Options))!.User.Id);
    }

    [Fact]
    public async Task The_exchange_code_works_once()
    {
        var landed = await fixture.SignInAsync("google", Identity.Random());
        var code = landed.Query("code");

        Assert.Equal(HttpStatusCode.OK, (await Server.ExchangeAsync(code)).StatusCode);
        await ProblemAssert.ReadAsync(await Server.ExchangeAsync(code), HttpStatusCode.BadRequest, "invalid_exchange_code");
        await ProblemAssert.ReadAsync(await Server.ExchangeAsync("made-up"), HttpStatusCode.BadRequest, "invalid_exchange_code");
        await ProblemAssert.ValidationAsync(await Server.ExchangeAsync(null), "code");
    }

    [Fact]
    public async Task The_exchange_code_expires_after_two_minutes()
    {
        var landed = await fixture.SignInAsync("google", Identity.Random());
        await Server.JumpClockAsync(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));

        await ProblemAssert.ReadAsync(await Server.ExchangeAsync(landed.Query("code")), HttpStatusCode.BadRequest, "invalid_exchange_code");
    }

    [Fact]
    public async Task A_code_signs_in_the_account_it_was_issued_for_only()
    {
        var a = await fixture.SignInForTokensAsync("google", Identity.Random());
        var bLanded = await fixture.SignInAsync("discord", Identity.Random());
        var b = (await (await Server.ExchangeAsync(bLanded.Query("code"))).Content.ReadFromJsonAsync<AuthBody>(Json.Options))!;

        Assert.NotEqual(a.User.Id, b.User.Id);
        using var asB = Server.CreateClient(b.AccessToken);
        Assert.Equal(b.User.Id, (await asB.GetFromJsonAsync<MeBody>("/api/v1/me", Json.Options))!.Id);
        Assert.False(await Server.QueryAsync(db => db.ExternalLogins.AnyAsync(l => l.UserId == b.User.Id && l.Provider == "google")));

        // Keyed to B, the database shows B's links only (row-level security on PostgreSQL; the code filters everywhere).
        await Server.QueryAsync(db => db.ExternalSignInCodes.ExecuteDeleteAsync());
        await fixture.SignInAsync("google", fixture.Google.User);
        await using var scope = Server.Services.GetRequiredService<IServiceScopeFactory>().CreateUserScope(b.User.Id);
        var asUserB = scope.ServiceProvider.GetRequiredService<PingvasDb>();
        if (TestDatabase.UsePostgres)
        {
            Assert.Equal([b.User.Id], await asUserB.ExternalLogins.Select(l => l.UserId).Distinct().ToListAsync());
            Assert.False(await asUserB.ExternalLogins.AnyAsync(l => l.UserId == a.User.Id));
            Assert.False(await asUserB.ExternalSignInCodes.AnyAsync());
        }
    }

    [Fact]
    public async Task A_local_return_path_is_carried_through_and_any_other_is_refused()
    {
        var landed = await fixture.SignInAsync("google", Identity.Random(), returnUrl: "/gallery?model=sd-1.5");
        Assert.Equal("/gallery?model=sd-1.5", landed.Query("returnUrl"));
        Assert.NotNull(landed.Query("code"));

        using var browser = new BrowserSession();
        foreach (var evil in new[] { "https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "gallery" })
        {
            var response = await browser.GetAsync(Server.Start("google", evil));
            await ProblemAssert.ValidationAsync(response, "returnUrl");
        }
    }

    [Fact]
    public async Task A_tampered_or_missing_state_and_a_callback_in_another_browser_are_refused()
    {
        fixture.Google.User = Identity.Random();
        foreach (var spoil in new Func<string, string>[]
        {
            query => query.Replace("state=", "state=x", StringComparison.Ordinal),
            query => string.Join('&', query.Split('&').Where(p => !p.StartsWith("state=", StringComparison.Ordinal))),
        })
        {
            using var browser = new BrowserSession();
            var callback = await CallbackAsync(browser);
            var spoiled = new UriBuilder(callback) { Query = spoil(callback.Query.TrimStart('?')) }.Uri;
            Assert.Equal("invalid_state", (await browser.FollowToWebAppAsync(spoiled)).Query("error"));
        }

        // The right state, but not the browser that started: its correlation cookie is missing.
        using (var starter = new BrowserSession())
        using (var other = new BrowserSession())
        {
            var callback = await CallbackAsync(starter);
            Assert.Equal("invalid_state", (await other.FollowToWebAppAsync(callback)).Query("error"));
        }

        // /complete without a provider's answer in the cookie.
        using var stranger = new BrowserSession();
        Assert.Equal("invalid_state", (await stranger.FollowToWebAppAsync(new Uri(Server.BaseAddress, "/api/v1/auth/external/complete"))).Query("error"));
    }

    [Fact]
    public async Task Deny_on_the_consent_page_comes_back_as_access_denied()
    {
        fixture.Google.AutoApprove = false;
        try
        {
            fixture.Google.User = Identity.Random();
            using var browser = new BrowserSession();
            var authorize = await BrowserSession.RedirectOf(await browser.GetAsync(Server.Start("google")), Server.BaseAddress);
            var page = await (await browser.GetAsync(authorize)).Content.ReadAsStringAsync();
            Assert.Contains(WebUtility.HtmlEncode(fixture.Google.User.Email), page);
            var id = System.Text.RegularExpressions.Regex.Match(page, "name=\"id\" value=\"([^\"]+)\"").Groups[1].Value;

            var back = await BrowserSession.RedirectOf(
                await browser.PostFormAsync(new Uri(authorize, "/consent"), new() { ["id"] = id, ["decision"] = "deny" }), authorize);
            Assert.Equal("access_denied", (await browser.FollowToWebAppAsync(back)).Query("error"));
        }
        finally
        {
            fixture.Google.AutoApprove = true;
        }
    }

    [Fact]
    public async Task The_challenge_asks_for_the_code_with_pkce_and_state()
    {
        using var browser = new BrowserSession();
        var authorize = await BrowserSession.RedirectOf(await browser.GetAsync(Server.Start("discord")), Server.BaseAddress);

        Assert.StartsWith(fixture.Discord.BaseAddress + "oauth2/authorize", authorize.ToString());
        Assert.Equal("code", authorize.Query("response_type"));
        Assert.Equal(LocalOAuthProvider.ClientId, authorize.Query("client_id"));
        Assert.Equal(new Uri(Server.BaseAddress, "/api/v1/auth/external/discord/callback").ToString(), authorize.Query("redirect_uri"));
        Assert.Equal("identify email", authorize.Query("scope"));
        Assert.Equal("S256", authorize.Query("code_challenge_method"));
        Assert.Equal(43, authorize.Query("code_challenge")!.Length);
        Assert.False(string.IsNullOrEmpty(authorize.Query("state")));
        // The correlation cookie is Lax and HttpOnly, and scoped to the callback.
        var cookie = Assert.Single(browser.Cookies.GetAllCookies(), c => c.Name.StartsWith(".AspNetCore.Correlation", StringComparison.Ordinal));
        Assert.True(cookie.HttpOnly);
        Assert.Equal("/api/v1/auth/external/discord/callback", cookie.Path);
    }

    [Fact]
    public async Task An_unknown_provider_is_not_found()
    {
        using var client = Server.CreateClient();
        await ProblemAssert.ReadAsync(await client.GetAsync("/api/v1/auth/external/github"), HttpStatusCode.NotFound, "unknown_provider");
    }

    /// <summary>Starts a Google sign-in in <paramref name="browser"/> and returns the provider's redirect back, not yet followed.</summary>
    private async Task<Uri> CallbackAsync(BrowserSession browser)
    {
        var authorize = await BrowserSession.RedirectOf(await browser.GetAsync(Server.Start("google")), Server.BaseAddress);
        var callback = await BrowserSession.RedirectOf(await browser.GetAsync(authorize), authorize);
        Assert.Equal("/api/v1/auth/external/google/callback", callback.AbsolutePath);
        return callback;
    }
}
