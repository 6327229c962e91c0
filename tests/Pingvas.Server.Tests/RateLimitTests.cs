using System.Globalization;
using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Hosting;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// The rate limiter itself, with the limits the server ships with (not the test defaults' 10000):
/// the submit bucket is per user, per-address limits see the client behind trusted proxies only,
/// and IPv6 clients count by their /64.
/// </summary>
public sealed class RateLimitTests
{
    private static readonly RateLimitOptions Shipped = new();

    [Fact]
    public async Task Two_users_behind_one_address_have_separate_submit_buckets()
    {
        await using var server = await StartAsync();
        var alice = await server.RegisterAsync();
        var bob = await server.RegisterAsync();

        // Alice empties her burst at once (however slow the machine) with requests the endpoint
        // refuses, so nothing is queued or reserved.
        var burst = await Task.WhenAll(Enumerable.Range(0, Shipped.SubmitBurst * 2).Select(_ =>
            alice.Client.PostAsJsonAsync("/api/v1/generations", TestUser.Request(width: 63))));
        var limited = burst.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        await ProblemAssert.ReadAsync(limited[0], HttpStatusCode.TooManyRequests, "rate_limited");
        foreach (var refused in burst.Except(limited))
        {
            await ProblemAssert.ValidationAsync(refused, "width");
        }

        // Bob, from the same address, still has his whole burst: a shared bucket refills only
        // SubmitsPerSecond tokens per second, far fewer than these.
        for (var i = 0; i < Shipped.SubmitBurst / 2; i++)
        {
            var response = await bob.Client.PostAsJsonAsync("/api/v1/generations", TestUser.Request(width: 63));
            Assert.True(response.StatusCode != HttpStatusCode.TooManyRequests, $"Bob's submit {i + 1} was limited by Alice's bucket.");
        }

        var job = await bob.SubmitAsync();
        Assert.Equal("queued", job.Status);
    }

    [Fact]
    public async Task X_forwarded_for_is_ignored_without_trusted_proxies()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();

        for (var i = 0; i < Shipped.AuthPerMinute; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(client, $"203.0.113.{i + 1}")).StatusCode);
        }

        // Every "client" above was really this connection's address, loopback included, whose window is now full.
        await AssertLimitedAsync(await RefreshAsync(client, "198.51.100.77"));
        await AssertLimitedAsync(await RefreshAsync(client, forwardedFor: null));
    }

    [Fact]
    public async Task Behind_trusted_proxies_each_forwarded_client_has_its_own_auth_bucket()
    {
        await using var server = await StartAsync(TrustedProxies("127.0.0.1", "10.0.0.0/8"));
        using var client = server.CreateClient();

        await ExhaustAsync(client, "203.0.113.1");
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(client, "203.0.113.2")).StatusCode);

        // The chain is walked right to left through trusted hops only: an entry the client wrote
        // itself (left of the first untrusted hop) cannot buy it a fresh bucket...
        await AssertLimitedAsync(await RefreshAsync(client, "198.51.100.1, 203.0.113.1"));

        // ...and a client behind two trusted proxies is still that client.
        await AssertLimitedAsync(await RefreshAsync(client, "203.0.113.1, 10.0.0.5"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(client, "203.0.113.3, 10.0.0.5")).StatusCode);

        // The proxy's own requests count as its own address.
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(client, forwardedFor: null)).StatusCode);
    }

    [Fact]
    public async Task Ipv6_clients_share_a_bucket_per_64_and_mapped_ipv4_counts_as_ipv4()
    {
        await using var server = await StartAsync(TrustedProxies("127.0.0.1"));
        using var client = server.CreateClient();

        await ExhaustAsync(client, "2001:db8:1:2::1");
        await AssertLimitedAsync(await RefreshAsync(client, "2001:db8:1:2:ffff:ffff:ffff:fffe"));
        await AssertLimitedAsync(await RefreshAsync(client, "[2001:db8:1:2::9]:443"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(client, "2001:db8:1:3::1")).StatusCode);

        await ExhaustAsync(client, "::ffff:203.0.113.50");
        await AssertLimitedAsync(await RefreshAsync(client, "203.0.113.50"));
    }

    private static Task<PingvasServer> StartAsync(Dictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["RateLimits:AuthPerMinute"] = Shipped.AuthPerMinute.ToString(CultureInfo.InvariantCulture),
            ["RateLimits:SubmitBurst"] = Shipped.SubmitBurst.ToString(CultureInfo.InvariantCulture),
            ["RateLimits:SubmitsPerSecond"] = Shipped.SubmitsPerSecond.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return PingvasServer.StartAsync(settings);
    }

    private static Dictionary<string, string> TrustedProxies(params string[] proxies) =>
        proxies.Select((p, i) => (Key: $"Network:TrustedProxies:{i}", Value: p)).ToDictionary(e => e.Key, e => e.Value);

    /// <summary>Uses up one client's sign-in window (the refresh endpoint shares it), then checks the next call is refused.</summary>
    private static async Task ExhaustAsync(HttpClient client, string forwardedFor)
    {
        for (var i = 0; i < Shipped.AuthPerMinute; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(client, forwardedFor)).StatusCode);
        }

        await AssertLimitedAsync(await RefreshAsync(client, forwardedFor));
    }

    private static async Task AssertLimitedAsync(HttpResponseMessage response)
    {
        await ProblemAssert.ReadAsync(response, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.NotNull(response.Headers.RetryAfter);
    }

    private static Task<HttpResponseMessage> RefreshAsync(HttpClient client, string? forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/refresh") { Content = JsonContent.Create(new { refreshToken = "not a token" }) };
        if (forwardedFor is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        }

        return client.SendAsync(request);
    }
}
