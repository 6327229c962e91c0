using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Accounts;

public sealed record TokensBody(string AccessToken, string RefreshToken, int ExpiresIn);

/// <summary>
/// The account API: profile and language (<c>PATCH /me</c>), password change (signs out the other
/// sessions), sign out everywhere. Each route acts on the caller's account only.
/// </summary>
public sealed class AccountApiTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private PingvasServer Server => fixture.Server;

    [Fact]
    public async Task The_name_and_language_are_kept_per_account_and_returned_by_me()
    {
        var user = await Server.RegisterAsync();
        var other = await Server.RegisterAsync();
        Assert.Null((string?)(await MeJsonAsync(user))["language"]);

        var patched = await user.Client.PatchAsJsonAsync("/api/v1/me", new { name = "  Kim Minji ", language = "ko" });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var me = await MeJsonAsync(user);
        Assert.Equal(("Kim Minji", "ko"), ((string?)me["name"], (string?)me["language"]));

        // Only the field sent changes.
        await user.Client.PatchAsJsonAsync("/api/v1/me", new { language = "en" });
        me = await MeJsonAsync(user);
        Assert.Equal(("Kim Minji", "en"), ((string?)me["name"], (string?)me["language"]));

        await ProblemAssert.ValidationAsync(await user.Client.PatchAsJsonAsync("/api/v1/me", new { language = "fr", name = "" }), "language", "name");

        // Another account is untouched.
        var untouched = await MeJsonAsync(other);
        Assert.Equal(("Test User", null), ((string?)untouched["name"], (string?)untouched["language"]));

        using var anonymous = Server.CreateClient();
        await ProblemAssert.ReadAsync(await anonymous.PatchAsJsonAsync("/api/v1/me", new { language = "ko" }), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_password_change_checks_the_current_one_and_signs_out_the_other_sessions()
    {
        var user = await Server.RegisterAsync();
        var other = await Server.RegisterAsync();
        var second = await SignInAsync(user.Email, user.Password);

        await ProblemAssert.ReadAsync(
            await user.Client.PostAsJsonAsync("/api/v1/me/password", new { currentPassword = "not my password", newPassword = "a brand new secret" }),
            HttpStatusCode.Forbidden, "wrong_password");
        await ProblemAssert.ValidationAsync(
            await user.Client.PostAsJsonAsync("/api/v1/me/password", new { currentPassword = user.Password, newPassword = "short" }), "newPassword");

        var changed = await user.Client.PostAsJsonAsync("/api/v1/me/password", new { currentPassword = user.Password, newPassword = "a brand new secret" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var tokens = (await changed.Content.ReadFromJsonAsync<TokensBody>(Json.Options))!;

        // Every older token is refused; the pair this session got works.
        await ProblemAssert.ReadAsync(await user.Client.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthorized");
        using var secondClient = Server.CreateClient(second.AccessToken);
        await ProblemAssert.ReadAsync(await secondClient.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthorized");
        await ProblemAssert.ReadAsync(await RefreshAsync(second.RefreshToken), HttpStatusCode.Unauthorized, "invalid_refresh_token");
        using var current = Server.CreateClient(tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await current.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RefreshAsync(tokens.RefreshToken)).StatusCode);

        using var anonymous = Server.CreateClient();
        await ProblemAssert.ReadAsync(
            await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = user.Password }), HttpStatusCode.Unauthorized, "invalid_credentials");
        await SignInAsync(user.Email, "a brand new secret");

        // Another account's sessions are untouched.
        Assert.Equal(HttpStatusCode.OK, (await other.Client.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Sign_out_everywhere_refuses_every_access_and_refresh_token_of_the_account_only()
    {
        var user = await Server.RegisterAsync();
        var other = await Server.RegisterAsync();
        var second = await SignInAsync(user.Email, user.Password);

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.PostAsync("/api/v1/auth/logout-all", null)).StatusCode);

        await ProblemAssert.ReadAsync(await user.Client.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthorized");
        using var secondClient = Server.CreateClient(second.AccessToken);
        await ProblemAssert.ReadAsync(await secondClient.GetAsync("/api/v1/generations"), HttpStatusCode.Unauthorized, "unauthorized");
        await ProblemAssert.ReadAsync(await RefreshAsync(user.RefreshToken), HttpStatusCode.Unauthorized, "invalid_refresh_token");
        await ProblemAssert.ReadAsync(await RefreshAsync(second.RefreshToken), HttpStatusCode.Unauthorized, "invalid_refresh_token");

        // A new sign-in works, and the other account never noticed.
        var again = await SignInAsync(user.Email, user.Password);
        using var fresh = Server.CreateClient(again.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await other.Client.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RefreshAsync(other.RefreshToken)).StatusCode);

        using var anonymous = Server.CreateClient();
        await ProblemAssert.ReadAsync(await anonymous.PostAsync("/api/v1/auth/logout-all", null), HttpStatusCode.Unauthorized, "unauthorized");
    }

    private async Task<JsonObject> MeJsonAsync(TestUser user) =>
        JsonNode.Parse(await user.Client.GetStringAsync("/api/v1/me"))!.AsObject();

    private async Task<TokensBody> SignInAsync(string email, string password)
    {
        using var anonymous = Server.CreateClient();
        var response = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email, password });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<TokensBody>(Json.Options))!;
    }

    private async Task<HttpResponseMessage> RefreshAsync(string refreshToken)
    {
        using var anonymous = Server.CreateClient();
        return await anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken });
    }
}
