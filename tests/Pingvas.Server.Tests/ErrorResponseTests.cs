using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>Errors the framework raises (unknown routes, wrong verbs, rate limits) still leave as problem+json with a stable code.</summary>
public sealed class ErrorResponseTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Theory]
    [InlineData("/api/v1/nope")]
    [InlineData("/api/v1/generations/not-a-guid")]
    [InlineData("/api/v2/me")]
    public async Task An_unknown_route_is_a_404_problem(string path)
    {
        var user = await server.RegisterAsync();
        var problem = await ProblemAssert.ReadAsync(await user.Client.GetAsync(path), HttpStatusCode.NotFound, "not_found");
        Assert.Equal(404, problem.Status);
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_problem_without_a_token_too()
    {
        using var anonymous = server.CreateClient();
        await ProblemAssert.ReadAsync(await anonymous.PostAsync("/api/v1/nope", ProblemAssert.Raw("{}")), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_missing_resource_is_a_404_problem_naming_what_is_missing()
    {
        var user = await server.RegisterAsync();
        var problem = await ProblemAssert.ReadAsync(await user.Client.GetAsync($"/api/v1/generations/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "not_found");
        Assert.Contains("generation", problem.Detail);
    }

    [Fact]
    public async Task A_wrong_method_is_a_405_problem()
    {
        using var anonymous = server.CreateClient();
        await ProblemAssert.ReadAsync(await anonymous.GetAsync("/api/v1/auth/login"), HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        await ProblemAssert.ReadAsync(await anonymous.DeleteAsync("/api/v1/plans"), HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }

    [Fact]
    public async Task Problems_carry_a_type_title_status_and_trace_id()
    {
        using var anonymous = server.CreateClient();
        var response = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = "nobody@example.com", password = "wrong password" });
        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal("https://pingvas.studio/problems/invalid-credentials", problem.Type);
        var raw = await response.Content.ReadFromJsonAsync<Dictionary<string, object>>(Json.Options);
        Assert.True(raw!.ContainsKey("traceId"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-guid")]
    public async Task A_well_signed_token_naming_no_account_is_a_401_on_every_endpoint_not_a_500(string? subject)
    {
        // Correctly signed, but the account is gone (or never was): the door stays shut, and no fault leaks out.
        var token = subject is null
            ? TestTokens.Create(server.ServerKey(), Guid.NewGuid())
            : TestTokens.Create(server.ServerKey(), subject, null, "pingvas", "pingvas-api", "user");
        using var client = server.CreateClient(token);
        foreach (var path in new[] { "/api/v1/me", "/api/v1/models", "/api/v1/generations", "/api/v1/credits/ledger", "/api/v1/images" })
        {
            await ProblemAssert.ReadAsync(await client.GetAsync(path), HttpStatusCode.Unauthorized, "unauthorized");
        }

        await ProblemAssert.ReadAsync(await client.PostAsJsonAsync("/api/v1/generations", TestUser.Request()), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_server_fault_is_a_bare_500_problem_that_leaks_nothing()
    {
        // Its own server: the class's would stay broken.
        await using var broken = await PingvasServer.StartAsync(new TestSettings());
        var user = await broken.RegisterAsync();

        // Break the database under the running server: the next gallery read fails inside EF Core.
        await broken.QueryDbAsync(db => db.Database.ExecuteSqlRawAsync("ALTER TABLE images RENAME TO images_gone"));

        var response = await user.Client.GetAsync("/api/v1/images");
        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.InternalServerError, "internal_error");
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("SQLite", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("images", body);
        Assert.Null(problem.Detail);
    }

    [Fact]
    public async Task The_auth_endpoints_are_rate_limited_per_ip_with_a_retry_after()
    {
        await using var limited = await PingvasServer.StartAsync(new TestSettings { AuthPerMinute = 3 });
        using var anonymous = limited.CreateClient();

        // Any mix of sign-up, sign-in and refresh counts against the same per-IP window.
        var email = $"user-{Guid.NewGuid():N}@example.com";
        var register = await anonymous.PostAsJsonAsync("/api/v1/auth/register", new { email, password = "correct horse battery", name = "N" });
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email, password = "correct horse battery" })).StatusCode);
        await ProblemAssert.ReadAsync(
            await anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = "unknown" }), HttpStatusCode.Unauthorized, "invalid_refresh_token");

        var fourth = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email, password = "correct horse battery" });
        var problem = await ProblemAssert.ReadAsync(fourth, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.NotNull(problem.Detail);
        var retryAfter = fourth.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));

        // Other endpoints are not held back by the auth limit.
        var token = (await register.Content.ReadFromJsonAsync<AuthBody>(Json.Options))!.AccessToken;
        using var signedIn = limited.CreateClient(token);
        Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/v1/plans")).StatusCode);
    }
}
