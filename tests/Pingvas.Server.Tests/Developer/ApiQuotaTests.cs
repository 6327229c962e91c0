using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Developer;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Developer;

/// <summary>The monthly API quota: counted per key-submitted generation, refused at the limit, reset with the month.</summary>
public sealed class ApiQuotaTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private const int StarterLimit = 50;

    private readonly PingvasServer server = fixture.Server;

    private string Period => ApiPeriod.Of(server.Time.GetUtcNow().UtcDateTime);

    private Task SetUsedAsync(Guid userId, int calls) => server.QueryAsync(async db =>
    {
        var period = Period;
        var row = await db.ApiUsage.SingleOrDefaultAsync(u => u.UserId == userId && u.Period == period);
        if (row is null)
        {
            db.ApiUsage.Add(new ApiUsage { UserId = userId, Period = period, Calls = calls });
        }
        else
        {
            row.Calls = calls;
        }

        return await db.SaveChangesAsync();
    });

    private Task<int> UsedAsync(Guid userId)
    {
        var period = Period;
        return server.QueryAsync(db => db.ApiUsage.Where(u => u.UserId == userId && u.Period == period).Select(u => u.Calls).SingleOrDefaultAsync());
    }

    private static HttpRequestMessage Submit(string? idempotencyKey = null, object? body = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/generations") { Content = JsonContent.Create(body ?? TestUser.Request()) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    [Fact]
    public async Task Key_responses_carry_the_ratelimit_headers_and_token_and_unlimited_responses_do_not()
    {
        var (user, key, _) = await ApiKeyKit.StarterWithKeyAsync(server);
        await SetUsedAsync(user.Id, 7);
        using var client = ApiKeyKit.Client(server, key);
        var response = await client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("50", Header(response, "RateLimit-Limit"));
        Assert.Equal("43", Header(response, "RateLimit-Remaining"));
        var reset = long.Parse(Header(response, "RateLimit-Reset")!);
        var now = server.Time.GetUtcNow().UtcDateTime;
        Assert.InRange(reset, (long)(ApiPeriod.ResetAt(now) - now).TotalSeconds - 60, (long)(ApiPeriod.ResetAt(now) - now).TotalSeconds + 2);

        // Refusals of a key request carry them too.
        var refused = await client.GetAsync("/api/v1/keys");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(("50", "43"), (Header(refused, "RateLimit-Limit"), Header(refused, "RateLimit-Remaining")));

        var token = await user.Client.GetAsync("/api/v1/me");
        Assert.Null(Header(token, "RateLimit-Limit"));

        await server.SetPlanAsync(user.Id, "enterprise");
        var unlimited = await client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, unlimited.StatusCode);
        Assert.Null(Header(unlimited, "RateLimit-Limit"));
        Assert.Null(Header(unlimited, "RateLimit-Remaining"));
    }

    [Fact]
    public async Task The_last_call_is_spent_then_429_with_retry_after_and_a_replay_is_not_counted()
    {
        var (user, key, keyId) = await ApiKeyKit.StarterWithKeyAsync(server, "generate", "read");
        await SetUsedAsync(user.Id, StarterLimit - 2);
        using var client = ApiKeyKit.Client(server, key);

        var first = await client.SendAsync(Submit("replay-me"));
        var firstBody = await ApiKeyKit.ReadAsync(first, HttpStatusCode.Accepted);
        Assert.Equal("1", Header(first, "RateLimit-Remaining"));
        Assert.Equal(StarterLimit - 1, await UsedAsync(user.Id));

        var replay = await client.SendAsync(Submit("replay-me"));
        Assert.Equal(firstBody.GetProperty("id").GetGuid(), (await ApiKeyKit.ReadAsync(replay, HttpStatusCode.Accepted)).GetProperty("id").GetGuid());
        Assert.Equal(StarterLimit - 1, await UsedAsync(user.Id));

        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(Submit())).StatusCode);
        Assert.Equal(StarterLimit, await UsedAsync(user.Id));

        var over = await client.SendAsync(Submit());
        await ProblemAssert.ReadAsync(over, HttpStatusCode.TooManyRequests, "api_quota_exceeded");
        var (_, _, body) = await ApiKeyKit.ProblemAsync(await client.SendAsync(Submit()));
        var now = server.Time.GetUtcNow().UtcDateTime;
        Assert.Equal(ApiPeriod.ResetAt(now), body.GetProperty("resetAt").GetDateTime().ToUniversalTime());
        var retryAfter = long.Parse(Header(over, "Retry-After")!);
        Assert.InRange(retryAfter, 1, (long)(ApiPeriod.ResetAt(now) - now).TotalSeconds + 2);
        Assert.Equal("0", Header(over, "RateLimit-Remaining"));
        Assert.Equal(StarterLimit, await UsedAsync(user.Id));
        Assert.Equal(2, (await ApiKeyKit.ReadAsync(await user.Client.GetAsync("/api/v1/generations"), HttpStatusCode.OK)).GetProperty("items").GetArrayLength());

        // The session is not metered: the owner still submits from the web app.
        Assert.Equal(HttpStatusCode.Accepted, (await user.Client.PostAsJsonAsync("/api/v1/generations", TestUser.Request())).StatusCode);
        Assert.Equal(StarterLimit, await UsedAsync(user.Id));

        // The chart: today's calls of the key (the replay and the refusals not among them).
        var usage = await ApiKeyKit.ReadAsync(await user.Client.GetAsync("/api/v1/keys/usage?days=7"), HttpStatusCode.OK);
        Assert.Equal((StarterLimit, StarterLimit, 0), (usage.GetProperty("period").GetProperty("limit").GetInt32(),
            usage.GetProperty("period").GetProperty("used").GetInt32(), usage.GetProperty("period").GetProperty("remaining").GetInt32()));
        var day = Assert.Single(usage.GetProperty("days").EnumerateArray());
        Assert.Equal((ApiPeriod.DayOf(now), keyId, 2), (day.GetProperty("date").GetString(), day.GetProperty("keyId").GetGuid(), day.GetProperty("calls").GetInt32()));
        await ProblemAssert.ValidationAsync(await user.Client.GetAsync("/api/v1/keys/usage?days=91"), "days");
        await server.WaitUntilIdleAsync();
    }

    [Fact]
    public async Task A_refused_submit_spends_no_call()
    {
        var (user, key, _) = await ApiKeyKit.StarterWithKeyAsync(server, "generate");
        await SetUsedAsync(user.Id, StarterLimit - 1);
        using var client = ApiKeyKit.Client(server, key);
        foreach (var bad in new[] { TestUser.Request(model: "no-such-model"), TestUser.Request(batchSize: 64), TestUser.Request(width: 4096, height: 4096), TestUser.Request(steps: 0) })
        {
            var (status, code, _) = await ApiKeyKit.ProblemAsync(await client.SendAsync(Submit(body: bad)));
            Assert.True(status is 400 or 403 or 422 && code is not null && !code.StartsWith("api_", StringComparison.Ordinal), $"{status} {code}");
        }

        // Short of credits: the counter goes back with the rolled-back transaction.
        await server.QueryAsync(db => db.Lots.Where(l => l.UserId == user.Id).ExecuteUpdateAsync(s => s.SetProperty(l => l.Remaining, 0)));
        await ProblemAssert.ReadAsync(await client.SendAsync(Submit()), HttpStatusCode.PaymentRequired, "insufficient_credits");
        Assert.Equal(StarterLimit - 1, await UsedAsync(user.Id));
    }

    [Fact]
    public async Task The_quota_resets_with_the_calendar_month()
    {
        var (user, key, _) = await ApiKeyKit.StarterWithKeyAsync(server, "generate");
        await SetUsedAsync(user.Id, StarterLimit);
        using var client = ApiKeyKit.Client(server, key);
        await ProblemAssert.ReadAsync(await client.SendAsync(Submit()), HttpStatusCode.TooManyRequests, "api_quota_exceeded");

        var now = server.Time.GetUtcNow().UtcDateTime;
        await server.JumpClockAsync(ApiPeriod.ResetAt(now) - now + TimeSpan.FromMinutes(5));
        var response = await client.SendAsync(Submit());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("49", Header(response, "RateLimit-Remaining"));
        Assert.Equal(1, await UsedAsync(user.Id));
        await server.WaitUntilIdleAsync();
    }
}
