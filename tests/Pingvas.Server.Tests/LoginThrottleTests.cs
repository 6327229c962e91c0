using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Accounts;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// Sign-in throttling per (email, client address) over HTTP: an unknown email is throttled exactly
/// like an existing one, the owner is never locked out from elsewhere, and the throttle decays.
/// The server trusts loopback as a proxy, so X-Forwarded-For picks the client's address.
/// </summary>
public sealed class LoginThrottleTests : IAsyncLifetime
{
    private const string Attacker = "203.0.113.66";
    private const string Owner = "198.51.100.20";
    private readonly CountingHasher hasher = new();
    private PingvasServer server = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        server = await PingvasServer.StartAsync(
            new Dictionary<string, string> { ["Network:TrustedProxies:0"] = "127.0.0.1" },
            configureServices: s => s.AddSingleton<IPasswordHasher<User>>(hasher));
        client = server.CreateClient();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task A_throttled_account_and_a_throttled_unknown_email_get_the_same_answer_and_neither_hashes()
    {
        var user = await server.RegisterAsync();
        var unknown = $"nobody-{Guid.NewGuid():N}@example.com";
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var wrong = await LoginAsync(Attacker, user.Email, "wrong password");
            var missing = await LoginAsync(Attacker, unknown, "wrong password");
            await AssertSameAnswerAsync(wrong, missing, HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        // Now both pairs are throttled: even the right password is not checked, and neither answer
        // costs a password hash (the same work for an account and for no account).
        var hashesBefore = hasher.Verifications;
        var existing = await LoginAsync(Attacker, user.Email, user.Password);
        var stranger = await LoginAsync(Attacker, unknown, "wrong password");
        Assert.Equal(hashesBefore, hasher.Verifications);
        await AssertSameAnswerAsync(existing, stranger, HttpStatusCode.TooManyRequests, "rate_limited");
        var waits = new[] { existing, stranger }.Select(r => r.Headers.RetryAfter!.Delta!.Value.TotalSeconds).ToArray();
        Assert.All(waits, w => Assert.InRange(w, 1, 30));
        Assert.True(Math.Abs(waits[0] - waits[1]) <= 1, $"Retry-After {waits[0]} s and {waits[1]} s");

        // An unknown email that is not throttled costs one hash, like a wrong password.
        hashesBefore = hasher.Verifications;
        await ProblemAssert.ReadAsync(await LoginAsync(Owner, unknown, "wrong password"), HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal(hashesBefore + 1, hasher.Verifications);
    }

    [Fact]
    public async Task The_owner_signs_in_from_elsewhere_while_the_attacker_is_throttled_and_the_attacker_recovers_after_the_decay()
    {
        var user = await server.RegisterAsync();
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await ProblemAssert.ReadAsync(await LoginAsync(Attacker, user.Email, "guess"), HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        await ProblemAssert.ReadAsync(await LoginAsync(Attacker, user.Email, user.Password), HttpStatusCode.TooManyRequests, "rate_limited");

        // The owner, from another address, is not locked out by the attacker.
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(Owner, user.Email, user.Password)).StatusCode);

        // Once the wait passes the attacker gets one more guess, then waits about twice as long:
        // the score has barely decayed.
        server.Time.Advance(TimeSpan.FromSeconds(31));
        await ProblemAssert.ReadAsync(await LoginAsync(Attacker, user.Email, "guess"), HttpStatusCode.Unauthorized, "invalid_credentials");
        var longer = await LoginAsync(Attacker, user.Email, "guess");
        await ProblemAssert.ReadAsync(longer, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.InRange(longer.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 45, 60);

        // Hours later the score has decayed: the pair has all its free attempts again.
        server.Time.Advance(TimeSpan.FromHours(4));
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            await ProblemAssert.ReadAsync(await LoginAsync(Attacker, user.Email, "guess"), HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(Attacker, user.Email, user.Password)).StatusCode);

        // A success cleared the pair: five more guesses are checked before it is throttled again.
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await ProblemAssert.ReadAsync(await LoginAsync(Attacker, user.Email, "guess"), HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        await ProblemAssert.ReadAsync(await LoginAsync(Attacker, user.Email, "guess"), HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Fact]
    public async Task IPv6_addresses_in_one_64_are_one_client_for_the_throttle()
    {
        var user = await server.RegisterAsync();
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await ProblemAssert.ReadAsync(await LoginAsync($"2001:db8:7:7::{attempt}", user.Email, "guess"), HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        await ProblemAssert.ReadAsync(await LoginAsync("2001:db8:7:7::ff", user.Email, user.Password), HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync("2001:db8:7:8::1", user.Email, user.Password)).StatusCode);
    }

    [Fact]
    public async Task The_throttle_is_kept_in_the_database_not_in_the_process()
    {
        var unknown = $"nobody-{Guid.NewGuid():N}@example.com";
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await ProblemAssert.ReadAsync(await LoginAsync(Attacker, unknown, "guess"), HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        // A new process (another API instance would do the same) sees the same throttle.
        await server.RestartAsync();
        using var fresh = server.CreateClient();
        await ProblemAssert.ReadAsync(await LoginAsync(Attacker, unknown, "guess", fresh), HttpStatusCode.TooManyRequests, "rate_limited");
    }

    private Task<HttpResponseMessage> LoginAsync(string from, string email, string password, HttpClient? via = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login") { Content = JsonContent.Create(new { email, password }) };
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", from);
        return (via ?? client).SendAsync(request);
    }

    /// <summary>Same status, content type and problem body (apart from the trace id): nothing tells the two apart.</summary>
    private static async Task AssertSameAnswerAsync(HttpResponseMessage a, HttpResponseMessage b, HttpStatusCode status, string code)
    {
        await ProblemAssert.ReadAsync(a, status, code);
        await ProblemAssert.ReadAsync(b, status, code);
        Assert.Equal(a.Content.Headers.ContentType?.ToString(), b.Content.Headers.ContentType?.ToString());
        Assert.Equal(await WithoutTraceIdAsync(a), await WithoutTraceIdAsync(b));
        Assert.Equal(a.Headers.RetryAfter is null, b.Headers.RetryAfter is null);
    }

    private static async Task<string> WithoutTraceIdAsync(HttpResponseMessage response)
    {
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.True(body.Remove("traceId"), "Problems carry a trace id.");
        return body.ToJsonString();
    }

    /// <summary>The real hasher, counting verifications: a throttled attempt must not run one.</summary>
    private sealed class CountingHasher : IPasswordHasher<User>
    {
        private readonly PasswordHasher<User> inner = new();
        private int verifications;

        public int Verifications => Volatile.Read(ref verifications);

        public string HashPassword(User user, string password) => inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(User user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref verifications);
            return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
