using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Developer;

/// <summary>
/// The scope table of docs/developer-platform.md, endpoint by endpoint: a key with the scope reaches
/// it, a key without it gets api_key_scope_missing naming the scope; everything else refuses keys.
/// </summary>
public sealed class ApiKeyScopeTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    private static readonly string Id = Guid.NewGuid().ToString();

    /// <summary>(scope, method, path): every endpoint of the contract's table that exists in this build.</summary>
    public static TheoryData<string, string, string> Table() => new()
    {
        { "read", "GET", "/api/v1/me" },
        { "read", "GET", "/api/v1/me/storage" },
        { "read", "GET", "/api/v1/models" },
        { "read", "GET", "/api/v1/generations" },
        { "read", "GET", $"/api/v1/generations/{Id}" },
        { "read", "GET", "/api/v1/images" },
        { "read", "GET", $"/api/v1/images/{Id}" },
        { "read", "GET", $"/api/v1/images/{Id}/content" },
        { "read", "GET", "/api/v1/images/models" },
        { "read", "GET", "/api/v1/folders" },
        { "read", "GET", "/api/v1/tags" },
        { "read", "GET", "/api/v1/credits/ledger" },
        { "read", "GET", "/api/v1/presets" },
        { "read", "GET", "/api/v1/loras" },
        { "read", "GET", "/api/v1/workflows" },
        { "generate", "POST", "/api/v1/generations" },
        { "generate", "POST", "/api/v1/generations/estimate" },
        { "generate", "POST", $"/api/v1/generations/{Id}/cancel" },
        { "generate", "POST", "/api/v1/uploads" },
        { "gallery:write", "PATCH", $"/api/v1/images/{Id}" },
        { "gallery:write", "DELETE", $"/api/v1/images/{Id}" },
        { "gallery:write", "POST", "/api/v1/images/move" },
        { "gallery:write", "POST", "/api/v1/images/trash" },
        { "gallery:write", "POST", $"/api/v1/images/{Id}/restore" },
        { "gallery:write", "POST", "/api/v1/folders" },
        { "gallery:write", "PATCH", $"/api/v1/folders/{Id}" },
        { "gallery:write", "DELETE", $"/api/v1/folders/{Id}" },
        { "gallery:write", "POST", "/api/v1/tags/rename" },
        { "gallery:write", "DELETE", "/api/v1/tags/sunset" },
        { "read", "GET", $"/api/v1/generations/{Id}/events" },
        { "read", "GET", "/api/v1/me/notifications" },
        { "webhooks", "GET", "/api/v1/webhook-endpoints" },
        { "webhooks", "POST", "/api/v1/webhook-endpoints" },
        { "webhooks", "GET", $"/api/v1/webhook-endpoints/{Id}" },
        { "webhooks", "PATCH", $"/api/v1/webhook-endpoints/{Id}" },
        { "webhooks", "DELETE", $"/api/v1/webhook-endpoints/{Id}" },
        { "webhooks", "POST", $"/api/v1/webhook-endpoints/{Id}/rotate-secret" },
        { "webhooks", "POST", $"/api/v1/webhook-endpoints/{Id}/test" },
        { "webhooks", "GET", $"/api/v1/webhook-endpoints/{Id}/deliveries" },
        { "webhooks", "POST", $"/api/v1/webhook-deliveries/{Id}/redeliver" },
        { "webhooks", "GET", $"/api/v1/generations/{Id}/webhook-deliveries" },
        { "webhooks", "GET", "/api/v1/webhooks/default/secret" },
        { "webhooks", "POST", "/api/v1/webhooks/default/secret/rotate" },
    };

    private static HttpRequestMessage Request(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PATCH" or "PUT")
        {
            // An empty object: the endpoint answers it (validation, 404), which proves the key got through.
            request.Content = JsonContent.Create(new { });
        }

        return request;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public async Task A_key_with_the_scope_reaches_the_endpoint_and_one_without_it_is_refused(string scope, string method, string path)
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var with = (await ApiKeyKit.CreateAsync(user, [scope])).GetProperty("key").GetString()!;
        var without = (await ApiKeyKit.CreateAsync(user, [.. ApiKeyKit.AllScopes.Where(s => s != scope)])).GetProperty("key").GetString()!;

        using var allowed = ApiKeyKit.Client(server, with);
        var (status, code, _) = await ApiKeyKit.ProblemAsync(await allowed.SendAsync(Request(method, path)));
        Assert.True(status is not (401 or 403) && code is null or not ("api_key_not_allowed" or "api_key_scope_missing" or "invalid_api_key"),
            $"{method} {path} with '{scope}': {status} {code}");

        using var refused = ApiKeyKit.Client(server, without, header: true);
        var problem = await ProblemAssert.ReadAsync(await refused.SendAsync(Request(method, path)), HttpStatusCode.Forbidden, "api_key_scope_missing");
        var (_, _, body) = await ApiKeyKit.ProblemAsync(await refused.SendAsync(Request(method, path)));
        Assert.Equal(scope, body.GetProperty("requiredScope").GetString());
        Assert.Contains(scope, problem.Detail);
    }

    public static TheoryData<string, string> NeverForKeys() => new()
    {
        { "POST", "/api/v1/me/password" },
        { "GET", "/api/v1/keys" },
        { "POST", "/api/v1/keys" },
        { "GET", "/api/v1/keys/usage" },
        { "DELETE", $"/api/v1/keys/{Id}" },
        { "GET", "/api/v1/admin/workers" },
        { "GET", "/api/v1/billing" },
        { "POST", "/api/v1/billing/portal" },
        { "POST", "/api/v1/me/export" },
        { "GET", "/api/v1/me/exports" },
        { "DELETE", "/api/v1/me" },
        { "GET", "/api/v1/me/retention" },
        { "POST", "/api/v1/auth/logout" },
        { "POST", "/api/v1/generations/cancel-queued" },
        { "DELETE", "/api/v1/images/trash" },
        { "POST", "/api/v1/presets" },
        { "POST", "/hubs/progress/negotiate?negotiateVersion=1" },
        { "PUT", "/api/v1/me/notifications" },
    };

    [Theory]
    [MemberData(nameof(NeverForKeys))]
    public async Task A_key_with_every_scope_never_reaches_account_key_admin_billing_or_unlisted_endpoints(string method, string path)
    {
        var (_, key, _) = await ApiKeyKit.StarterWithKeyAsync(server);
        using var client = ApiKeyKit.Client(server, key);
        await ProblemAssert.ReadAsync(await client.SendAsync(Request(method, path)), HttpStatusCode.Forbidden, "api_key_not_allowed");
    }

    [Fact]
    public async Task A_read_key_cannot_submit()
    {
        var (user, key, _) = await ApiKeyKit.StarterWithKeyAsync(server, "read");
        using var client = ApiKeyKit.Client(server, key);
        await ProblemAssert.ReadAsync(await client.PostAsJsonAsync("/api/v1/generations", TestUser.Request()), HttpStatusCode.Forbidden, "api_key_scope_missing");
        Assert.Empty((await ApiKeyKit.ReadAsync(await user.Client.GetAsync("/api/v1/generations"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray());
    }
}
