using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using Pingvas.Server.Tests.Developer;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.OpenApi;

/// <summary>The checking proxy the SDK suites run behind: it forwards, streams SSE, and records what does not match.</summary>
public sealed class OpenApiCheckingProxyTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private static HttpClient Through(OpenApiCheckingProxy proxy, string key)
    {
        var client = new HttpClient { BaseAddress = proxy.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    [Fact]
    public async Task Real_calls_and_a_stream_pass_through_without_violations()
    {
        var (_, key, _) = await ApiKeyKit.StarterWithKeyAsync(fixture.Server);
        await using var proxy = await OpenApiCheckingProxy.StartAsync(fixture.Server.BaseAddress);
        using var client = Through(proxy, key);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/models")).StatusCode);
        var submitted = await client.PostAsJsonAsync("/api/v1/generations", new { prompt = "a proxy test", model = "sd-1.5", steps = 2 });
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        Assert.NotNull(submitted.Headers.GetValues("RateLimit-Remaining").Single());
        var id = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();

        // The stream ends after the generation's final state; the proxy must not hold it back.
        using var events = await client.GetAsync($"/api/v1/generations/{id}/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", events.Content.Headers.ContentType?.MediaType);
        var text = await events.Content.ReadAsStringAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Contains("\"status\":\"succeeded\"", text, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/generations/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/generations/{Guid.NewGuid()}")).StatusCode);
        Assert.Empty(proxy.Violations);
        Assert.Equal(["createGeneration", "getGeneration", "listModels", "streamGenerationEvents"], proxy.OperationIds.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, proxy.OperationIds["getGeneration"]);
    }

    [Fact]
    public async Task A_request_body_off_its_schema_is_recorded()
    {
        var (_, key, _) = await ApiKeyKit.StarterWithKeyAsync(fixture.Server);
        await using var proxy = await OpenApiCheckingProxy.StartAsync(fixture.Server.BaseAddress);
        using var client = Through(proxy, key);

        var response = await client.PostAsync("/api/v1/generations/estimate", new StringContent("""{"prompt": 5}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var violation = Assert.Single(proxy.Violations);
        Assert.Contains("estimateGeneration request", violation, StringComparison.Ordinal);
        Assert.Contains("/prompt", violation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_response_the_document_does_not_describe_is_recorded()
    {
        // The same server behind a document that forgets listModels' 200: the proxy must notice.
        using var raw = new HttpClient { BaseAddress = fixture.Server.BaseAddress };
        var document = JsonNode.Parse(await raw.GetStringAsync("/openapi/v1.json"))!;
        document["paths"]!["/api/v1/models"]!["get"]!["responses"]!.AsObject().Remove("200");
        var (_, key, _) = await ApiKeyKit.StarterWithKeyAsync(fixture.Server);
        await using var proxy = await OpenApiCheckingProxy.StartAsync(fixture.Server.BaseAddress, new OpenApiValidator(document.ToJsonString()));
        using var client = Through(proxy, key);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/models")).StatusCode);
        Assert.Contains("listModels (GET /api/v1/models) 200: status 200 is not documented", Assert.Single(proxy.Violations), StringComparison.Ordinal);
    }
}
