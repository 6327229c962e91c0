using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Admin;

/// <summary>
/// Every admin route: anonymous 401, a user 403 forbidden, an admin without TOTP 403 totp_required,
/// an enrolled admin whose session was not signed in with a code 403 totp_required, an admin signed
/// in with TOTP 2xx. The two-step sign-in's tokens (not only the confirmation's) open the routes.
/// </summary>
public sealed class AdminAuthorizationTests
{
    private static IEnumerable<(HttpMethod Method, string Path, object? Body)> Routes(Guid target) =>
    [
        (HttpMethod.Get, "/api/v1/admin/users", null),
        (HttpMethod.Get, $"/api/v1/admin/users/{target}", null),
        (HttpMethod.Patch, $"/api/v1/admin/users/{target}", new { plan = "starter" }),
        (HttpMethod.Post, $"/api/v1/admin/users/{target}/credits", new { amount = 5, reason = "authorization test" }),
        (HttpMethod.Get, "/api/v1/admin/stats", null),
        (HttpMethod.Get, "/api/v1/admin/audit", null),
        (HttpMethod.Get, "/api/v1/admin/workers", null),
    ];

    [Fact]
    public async Task Every_admin_route_admits_only_an_admin_signed_in_with_totp()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings());
        var target = await server.RegisterAsync();
        var user = await server.RegisterAsync();
        var withoutTotp = await AdminKit.AdminWithoutTotpAsync(server);
        var enrolled = await AdminKit.AdminWithoutTotpAsync(server);
        var (secret, _) = await AdminKit.EnrolAsync(server, enrolled);
        var signedIn = await AdminKit.SignInWithCodeAsync(server, enrolled, AdminKit.Code(server, secret, stepsAhead: 1));
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        var tokens = (await signedIn.Content.ReadFromJsonAsync<AuthBody>(Json.Options))!;
        using var admin = server.CreateClient(tokens.AccessToken);
        using var anonymous = server.CreateClient();

        foreach (var (method, path, body) in Routes(target.Id))
        {
            await ProblemAssert.ReadAsync(await SendAsync(anonymous, method, path, body), HttpStatusCode.Unauthorized, "unauthorized");
            await ProblemAssert.ReadAsync(await SendAsync(user.Client, method, path, body), HttpStatusCode.Forbidden, "forbidden");
            await ProblemAssert.ReadAsync(await SendAsync(withoutTotp.Client, method, path, body), HttpStatusCode.Forbidden, "totp_required");

            // Enrolled, but this token came from the password alone (issued before the enrolment).
            await ProblemAssert.ReadAsync(await SendAsync(enrolled.Client, method, path, body), HttpStatusCode.Forbidden, "totp_required");

            var response = await SendAsync(admin, method, path, body);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        // A refresh keeps the mark of the code: the rotated access token still opens the routes.
        using var anonymousRefresh = server.CreateClient();
        var refreshed = await anonymousRefresh.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = tokens.RefreshToken });
        var pair = (await refreshed.Content.ReadFromJsonAsync<AuthBody>(Json.Options))!;
        using var rotated = server.CreateClient(pair.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await rotated.GetAsync("/api/v1/admin/stats")).StatusCode);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, object? body)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return client.SendAsync(request);
    }
}
