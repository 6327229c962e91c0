using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Developer;

/// <summary>Creating keys through the API and clients that send them, as a developer's script would.</summary>
internal static class ApiKeyKit
{
    public static readonly string[] AllScopes = ["generate", "read", "gallery:write", "webhooks"];

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Creates a key for <paramref name="user"/> (whose plan must allow the API): the creation answer.</summary>
    public static async Task<JsonElement> CreateAsync(TestUser user, string[]? scopes = null, string name = "script", DateTime? expiresAt = null) =>
        await ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/keys", new { name, scopes = scopes ?? AllScopes, expiresAt }), HttpStatusCode.Created);

    /// <summary>A user on Starter (50 API calls a month) with a key of <paramref name="scopes"/>: the user and the key.</summary>
    public static async Task<(TestUser User, string Key, Guid KeyId)> StarterWithKeyAsync(PingvasServer server, params string[] scopes)
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var created = await CreateAsync(user, scopes.Length == 0 ? AllScopes : scopes);
        return (user, created.GetProperty("key").GetString()!, created.GetProperty("id").GetGuid());
    }

    /// <summary>A client that sends <paramref name="key"/> as a bearer value, or in X-API-Key.</summary>
    public static HttpClient Client(PingvasServer server, string key, bool header = false)
    {
        var client = server.CreateClient();
        if (header)
        {
            client.DefaultRequestHeaders.Add("X-API-Key", key);
        }
        else
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        }

        return client;
    }

    /// <summary>The problem's code and, when present, one extension member as text.</summary>
    public static async Task<(int Status, string? Code, JsonElement Body)> ProblemAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length > 0 && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
            ? JsonDocument.Parse(text).RootElement.Clone()
            : default;
        var code = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("code", out var c) ? c.GetString() : null;
        return ((int)response.StatusCode, code, body);
    }
}
