using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Developer;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Developer;

/// <summary>API keys through the API: create (shown once), list, revoke, authentication and the plan gate.</summary>
public sealed class ApiKeyTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task A_key_is_shown_once_listed_by_prefix_stored_as_a_hash_and_revoked()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var created = await ApiKeyKit.CreateAsync(user, ["read", "generate"], "  CI  ");
        var key = created.GetProperty("key").GetString()!;
        var id = created.GetProperty("id").GetGuid();
        Assert.Matches("^pv_live_[0-9A-Za-z]{44}$", key);
        Assert.Equal("CI", created.GetProperty("name").GetString());
        Assert.Equal(key[..20], created.GetProperty("prefix").GetString());
        Assert.Equal(["generate", "read"], created.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));

        var listed = Assert.Single((await ApiKeyKit.ReadAsync(await user.Client.GetAsync("/api/v1/keys"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray());
        Assert.False(listed.TryGetProperty("key", out _));
        Assert.Equal((id, key[..20], false), (listed.GetProperty("id").GetGuid(), listed.GetProperty("prefix").GetString(), listed.GetProperty("revoked").GetBoolean()));

        // The database holds the lookup id and SHA-256 of the key, never the key.
        var row = await server.QueryAsync(db => db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == id));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), row.KeyHash);
        Assert.Equal(key[8..20], row.LookupId);
        Assert.DoesNotContain(key[20..], JsonSerializer.Serialize(row));

        using var client = ApiKeyKit.Client(server, key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/keys/{id}")).StatusCode);
        await ProblemAssert.ReadAsync(await client.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "invalid_api_key");
        var revoked = Assert.Single((await ApiKeyKit.ReadAsync(await user.Client.GetAsync("/api/v1/keys"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray());
        Assert.True(revoked.GetProperty("revoked").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, revoked.GetProperty("revokedAt").ValueKind);
    }

    [Fact]
    public async Task Both_headers_work_and_garbage_unknown_and_expired_keys_are_401()
    {
        var (user, key, _) = await ApiKeyKit.StarterWithKeyAsync(server, "read");
        foreach (var header in new[] { false, true })
        {
            using var client = ApiKeyKit.Client(server, key, header);
            var me = await ApiKeyKit.ReadAsync(await client.GetAsync("/api/v1/me"), HttpStatusCode.OK);
            Assert.Equal(user.Id, me.GetProperty("id").GetGuid());
        }

        var unknown = "pv_live_" + new string('A', 12) + new string('b', 32);
        var wrongSecret = key[..20] + new string('c', 32);
        foreach (var bad in new[] { "pv_garbage", unknown, wrongSecret, key + "x" })
        {
            foreach (var header in new[] { false, true })
            {
                using var client = ApiKeyKit.Client(server, bad, header);
                await ProblemAssert.ReadAsync(await client.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "invalid_api_key");
            }
        }

        var expiring = await ApiKeyKit.CreateAsync(user, ["read"], expiresAt: server.Time.GetUtcNow().UtcDateTime.AddHours(1));
        using var expiringClient = ApiKeyKit.Client(server, expiring.GetProperty("key").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await expiringClient.GetAsync("/api/v1/me")).StatusCode);
        await server.JumpClockAsync(TimeSpan.FromHours(2));
        await ProblemAssert.ReadAsync(await expiringClient.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task Creation_is_validated_and_limited_to_20_live_keys()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var past = server.Time.GetUtcNow().UtcDateTime.AddMinutes(-1);
        await ProblemAssert.ValidationAsync(await user.Client.PostAsJsonAsync("/api/v1/keys", new { name = "", scopes = Array.Empty<string>(), expiresAt = past }),
            "name", "scopes", "expiresAt");
        await ProblemAssert.ValidationAsync(await user.Client.PostAsJsonAsync("/api/v1/keys", new { name = new string('n', 61), scopes = new[] { "read", "admin" } }), "name", "scopes");
        Assert.Empty(await server.QueryAsync(db => db.ApiKeys.Where(k => k.UserId == user.Id).ToListAsync()));

        for (var i = 0; i < ApiKeyService.MaxLiveKeysPerUser; i++)
        {
            await ApiKeyKit.CreateAsync(user, ["read"], $"k{i}");
        }

        await ProblemAssert.ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/keys", new { name = "one more", scopes = new[] { "read" } }), HttpStatusCode.Conflict, "api_key_limit");
    }

    [Fact]
    public async Task Free_plan_cannot_create_a_key_and_a_downgraded_owners_key_is_refused_until_an_upgrade()
    {
        var free = await server.RegisterAsync();
        await ProblemAssert.ReadAsync(await free.Client.PostAsJsonAsync("/api/v1/keys", new { name = "x", scopes = new[] { "read" } }), HttpStatusCode.Forbidden, "plan_forbids_api");

        var (user, key, _) = await ApiKeyKit.StarterWithKeyAsync(server, "read");
        using var client = ApiKeyKit.Client(server, key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);
        await server.SetPlanAsync(user.Id, "free");
        await ProblemAssert.ReadAsync(await client.GetAsync("/api/v1/me"), HttpStatusCode.Forbidden, "plan_forbids_api");
        await ProblemAssert.ReadAsync(await client.GetAsync("/api/v1/images"), HttpStatusCode.Forbidden, "plan_forbids_api");
        await server.SetPlanAsync(user.Id, "pro");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Another_users_key_is_404_and_a_key_sees_only_its_owners_rows()
    {
        var (owner, key, keyId) = await ApiKeyKit.StarterWithKeyAsync(server, "read");
        var other = await server.RegisterAsync();
        await server.SetPlanAsync(other.Id, "starter");
        await ProblemAssert.ReadAsync(await other.Client.DeleteAsync($"/api/v1/keys/{keyId}"), HttpStatusCode.NotFound, "api_key_not_found");
        await ProblemAssert.ReadAsync(await other.Client.DeleteAsync($"/api/v1/keys/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "api_key_not_found");
        Assert.Empty((await ApiKeyKit.ReadAsync(await other.Client.GetAsync("/api/v1/keys"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray());

        // The other user's generation is as missing to the owner's key as to the owner.
        var theirs = await other.SubmitAsync();
        var mine = await owner.SubmitAsync();
        using var client = ApiKeyKit.Client(server, key);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/generations/{theirs.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/generations/{mine.Id}")).StatusCode);
        var listed = (await ApiKeyKit.ReadAsync(await client.GetAsync("/api/v1/generations"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Select(g => g.GetProperty("id").GetGuid()).ToList();
        Assert.Equal([mine.Id], listed);
        await server.WaitUntilIdleAsync();
    }

    [Fact]
    public async Task Last_used_is_written_at_most_once_a_minute()
    {
        var (_, key, keyId) = await ApiKeyKit.StarterWithKeyAsync(server, "read");
        using var client = ApiKeyKit.Client(server, key);
        Assert.Null(await server.QueryAsync(db => db.ApiKeys.Where(k => k.Id == keyId).Select(k => k.LastUsedAt).SingleAsync()));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);
        var first = await server.QueryAsync(db => db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == keyId));
        Assert.NotNull(first.LastUsedAt);
        Assert.Equal("127.0.0.1", first.LastUsedIp);

        await server.JumpClockAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(first.LastUsedAt, await server.QueryAsync(db => db.ApiKeys.Where(k => k.Id == keyId).Select(k => k.LastUsedAt).SingleAsync()));

        await server.JumpClockAsync(TimeSpan.FromSeconds(40));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);
        Assert.True(await server.QueryAsync(db => db.ApiKeys.Where(k => k.Id == keyId).Select(k => k.LastUsedAt).SingleAsync()) > first.LastUsedAt);
    }

    [Fact]
    public async Task Key_routes_are_session_only_and_a_suspended_owners_key_stops()
    {
        var (user, key, keyId) = await ApiKeyKit.StarterWithKeyAsync(server);
        using var client = ApiKeyKit.Client(server, key);
        await ProblemAssert.ReadAsync(await client.GetAsync("/api/v1/keys"), HttpStatusCode.Forbidden, "api_key_not_allowed");
        await ProblemAssert.ReadAsync(await client.DeleteAsync($"/api/v1/keys/{keyId}"), HttpStatusCode.Forbidden, "api_key_not_allowed");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);

        await server.QueryAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.Suspended, true)));
        await ProblemAssert.ReadAsync(await client.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "account_suspended");
    }
}
