using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>Sign-up and sign-in through the real HTTP API: the account a user gets, how it is stored, and how guessing is slowed (more in LoginThrottleTests).</summary>
public sealed class AccountTests(DefaultServer fixture) : IClassFixture<DefaultServer>, IDisposable
{
    private const string Password = "correct horse battery";
    private readonly PingvasServer server = fixture.Server;
    private readonly HttpClient anonymous = fixture.Server.CreateClient();

    public void Dispose() => anonymous.Dispose();

    [Fact]
    public async Task Register_answers_201_with_a_token_pair_and_a_free_user_holding_100_credits()
    {
        var email = NewEmail();
        var response = await anonymous.PostAsJsonAsync("/api/v1/auth/register", new { email, password = Password, name = "  Ada Lovelace  " });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("/api/v1/me", response.Headers.Location?.OriginalString);
        var body = (await response.Content.ReadFromJsonAsync<AuthBody>(Json.Options))!;
        Assert.False(string.IsNullOrWhiteSpace(body.AccessToken));
        Assert.Equal(3, body.AccessToken.Split('.').Length);
        Assert.False(string.IsNullOrWhiteSpace(body.RefreshToken));
        Assert.Equal(15 * 60, body.ExpiresIn);

        var user = body.User;
        Assert.NotEqual(Guid.Empty, user.Id);
        Assert.Equal(email, user.Email);
        Assert.Equal("Ada Lovelace", user.Name);
        Assert.Equal("user", user.Role);
        Assert.Equal("free", user.Plan.Id);
        Assert.Equal((100, 0, false), (user.Credits.Balance, user.Credits.Reserved, user.Credits.Unlimited));
        Assert.True(user.Credits.PeriodEnd > DateTime.UtcNow);

        // The access token works at once, and /me tells the same story.
        using var signedIn = server.CreateClient(body.AccessToken);
        var me = (await signedIn.GetFromJsonAsync<MeBody>("/api/v1/me", Json.Options))!;
        Assert.Equal(user, me);
    }

    [Fact]
    public async Task The_password_is_stored_only_as_an_Identity_V3_hash()
    {
        var user = await server.RegisterAsync(password: Password);

        var row = await server.UserRowAsync(user.Id);
        Assert.NotEqual(Password, row.PasswordHash);
        Assert.DoesNotContain(Password, row.PasswordHash);
        var decoded = Convert.FromBase64String(row.PasswordHash);
        Assert.Equal(0x01, decoded[0]); // Identity V3 format marker: PBKDF2 with a per-user salt.
        Assert.True(decoded.Length >= 13 + 16 + 32, $"A V3 hash holds a header, a salt and a subkey; got {decoded.Length} bytes.");

        // Two accounts with the same password get different hashes (salted).
        var twin = await server.RegisterAsync(password: Password);
        Assert.NotEqual(row.PasswordHash, (await server.UserRowAsync(twin.Id)).PasswordHash);
    }

    [Fact]
    public async Task Email_is_trimmed_and_lower_cased_so_another_case_is_the_same_account()
    {
        var local = $"Mixed.Case-{Guid.NewGuid():N}";
        var response = await anonymous.PostAsJsonAsync("/api/v1/auth/register", new { email = $"  {local.ToUpperInvariant()}@EXAMPLE.Com ", password = Password, name = "Case" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<AuthBody>(Json.Options))!;
        var normalised = $"{local.ToLowerInvariant()}@example.com";
        Assert.Equal(normalised, body.User.Email);

        var again = await anonymous.PostAsJsonAsync("/api/v1/auth/register", new { email = $"{local}@example.com", password = "another password", name = "Other" });
        var problem = await ProblemAssert.ReadAsync(again, HttpStatusCode.Conflict, "email_taken");
        Assert.Contains("already exists", problem.Detail);

        // Signing in with yet another spelling reaches the same account.
        var login = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = $" {normalised.ToUpperInvariant()}", password = Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal(body.User.Id, (await login.Content.ReadFromJsonAsync<AuthBody>(Json.Options))!.User.Id);
        Assert.Equal(1, await server.QueryDbAsync(db => db.Users.CountAsync(u => u.Email == normalised)));
    }

    [Fact]
    public async Task Simultaneous_registrations_of_one_email_create_exactly_one_account()
    {
        var email = NewEmail();
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            anonymous.PostAsJsonAsync("/api/v1/auth/register", new { email = i % 2 == 0 ? email : email.ToUpperInvariant(), password = Password, name = $"N{i}" })));

        Assert.Single(answers, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var refused in answers.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await ProblemAssert.ReadAsync(refused, HttpStatusCode.Conflict, "email_taken");
        }

        Assert.Equal(1, await server.QueryDbAsync(db => db.Users.CountAsync(u => u.Email == email)));
    }

    [Fact]
    public async Task Login_with_the_right_password_returns_a_working_token_pair()
    {
        var user = await server.RegisterAsync();

        var response = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = user.Password });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<AuthBody>(Json.Options))!;
        Assert.Equal(user.Id, body.User.Id);
        Assert.NotEqual(user.RefreshToken, body.RefreshToken);
        using var client = server.CreateClient(body.AccessToken);
        Assert.Equal(user.Id, (await client.GetFromJsonAsync<MeBody>("/api/v1/me", Json.Options))!.Id);
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_email_get_the_same_401()
    {
        var user = await server.RegisterAsync();

        var wrong = await ProblemAssert.ReadAsync(
            await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = "not the password" }),
            HttpStatusCode.Unauthorized, "invalid_credentials");
        var unknown = await ProblemAssert.ReadAsync(
            await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = NewEmail(), password = "not the password" }),
            HttpStatusCode.Unauthorized, "invalid_credentials");

        // Nothing in the answer tells an attacker whether the account exists.
        Assert.Equal((wrong.Type, wrong.Title, wrong.Detail), (unknown.Type, unknown.Title, unknown.Detail));
    }

    [Fact]
    public async Task Login_without_email_or_password_is_a_validation_problem()
    {
        var response = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = "", password = "" });
        await ProblemAssert.ValidationAsync(response, "credentials");
    }

    [Fact]
    public async Task Five_wrong_passwords_throttle_this_address_for_that_email_even_for_the_right_password_until_the_wait_passes()
    {
        var user = await server.RegisterAsync();
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await ProblemAssert.ReadAsync(await LoginAsync(user.Email, $"wrong guess {attempt}"), HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        // ReadAsync also checks the content type: application/problem+json.
        var throttled = await LoginAsync(user.Email, user.Password);
        var problem = await ProblemAssert.ReadAsync(throttled, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Contains("Too many sign-in attempts", problem.Detail);
        Assert.InRange(throttled.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

        // Guesses meanwhile are refused the same way and learn nothing.
        await ProblemAssert.ReadAsync(await LoginAsync(user.Email, "wrong guess 6"), HttpStatusCode.TooManyRequests, "rate_limited");

        // Another account is not affected by this pair's throttle.
        var other = await server.RegisterAsync();
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(other.Email, other.Password)).StatusCode);

        // The first wait lasts 30 seconds; afterwards the right password works and clears the pair.
        server.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(user.Email, user.Password)).StatusCode);
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            await ProblemAssert.ReadAsync(await LoginAsync(user.Email, "wrong guess"), HttpStatusCode.Unauthorized, "invalid_credentials");
        }
    }

    [Fact]
    public async Task Fewer_than_five_failures_do_not_throttle_and_a_success_clears_the_count()
    {
        var user = await server.RegisterAsync();
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            await ProblemAssert.ReadAsync(await LoginAsync(user.Email, "wrong guess"), HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(user.Email, user.Password)).StatusCode);

        // The count restarted: four more failures still leave the account open.
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            await ProblemAssert.ReadAsync(await LoginAsync(user.Email, "wrong guess"), HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(user.Email, user.Password)).StatusCode);
    }

    [Fact]
    public async Task Concurrent_wrong_passwords_get_exactly_the_free_attempts()
    {
        var user = await server.RegisterAsync();

        // Guessing in parallel must not slip past the throttle: attempts are counted before their
        // password is checked, so of eight simultaneous guesses exactly five are checked.
        var guesses = await Task.WhenAll(Enumerable.Range(1, 8).Select(i => LoginAsync(user.Email, $"parallel guess {i}")));
        Assert.All(guesses, r => Assert.True(r.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, r.StatusCode.ToString()));
        Assert.Equal(5, guesses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
        await ProblemAssert.ReadAsync(await LoginAsync(user.Email, user.Password), HttpStatusCode.TooManyRequests, "rate_limited");
    }

    private Task<HttpResponseMessage> LoginAsync(string email, string password) =>
        anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email, password });

    private static string NewEmail() => $"user-{Guid.NewGuid():N}@example.com";
}
