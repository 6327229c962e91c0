using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

using Pingvas.Server.Developer;
using Pingvas.Server.Hosting.OpenApi;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.OpenApi;

/// <summary>The served document against the running server's own routes (issue 13 item 6).</summary>
public sealed class OpenApiDocumentTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private async Task<OpenApiValidator> DocumentAsync() => new(await fixture.Server.CreateClient().GetStringAsync("/openapi/v1.json"));

    [Fact]
    public async Task Every_route_of_the_server_is_an_operation_with_id_success_and_security()
    {
        var document = await DocumentAsync();
        Assert.StartsWith("3.1", document.Document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        var routes = OpenApiRoutes.All(fixture.Server.Services);
        Assert.True(routes.Count > 100, $"Only {routes.Count} routes found.");
        var problems = new List<string>();
        foreach (var route in routes)
        {
            var operation = document.Document["paths"]?[route.Path]?[route.Method.ToLowerInvariant()] as JsonObject;
            if (operation is null)
            {
                problems.Add($"{route.Method} {route.Path}: missing from the document");
                continue;
            }

            var id = operation["operationId"]?.GetValue<string>() ?? "";
            if (!Regex.IsMatch(id, "^[a-z]+[A-Za-z0-9]*$"))
            {
                problems.Add($"{route.Method} {route.Path}: operationId '{id}' is not lowerCamelCase");
            }

            if (operation["summary"] is null || operation["tags"] is not JsonArray { Count: > 0 })
            {
                problems.Add($"{id}: no summary or tags");
            }

            var responses = operation["responses"]!.AsObject();
            if (!responses.Any(r => r.Key.StartsWith('2') || r.Key.StartsWith('3')))
            {
                problems.Add($"{id}: no success response");
            }

            var schemes = operation["security"]!.AsArray().SelectMany(s => s!.AsObject().Select(p => p.Key)).ToList();
            var scope = route.Endpoint.Metadata.GetMetadata<ApiKeyAccess>()?.Scope;
            string[] expected = route.IsAnonymous ? [] : scope is null ? ["bearer"] : ["bearer", "apiKey", "apiKeyHeader"];
            if (!schemes.SequenceEqual(expected))
            {
                problems.Add($"{id}: security [{string.Join(", ", schemes)}], expected [{string.Join(", ", expected)}]");
            }

            if (scope is not null && operation["x-api-key-scope"]?.GetValue<string>() != scope)
            {
                problems.Add($"{id}: x-api-key-scope should be {scope}");
            }

            foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
            {
                if (response?["content"]?["application/problem+json"] is null || response["x-problem-codes"] is not JsonArray { Count: > 0 })
                {
                    problems.Add($"{id} {status}: not a problem response with x-problem-codes");
                }
            }
        }

        var ids = document.Operations.GroupBy(o => o.OperationId).Where(g => g.Count() > 1).Select(g => g.Key);
        problems.AddRange(ids.Select(id => $"operationId {id} is used more than once"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(routes.Count, document.Operations.Count);
    }

    [Fact]
    public async Task The_fixed_operation_ids_map_to_their_method_and_path()
    {
        var document = await DocumentAsync();
        foreach (var (id, (method, path)) in FixedOperations.All)
        {
            var operation = Assert.Single(document.Operations, o => o.OperationId == id);
            Assert.Equal((method, path), (operation.Method, operation.Template));
        }

        // The chosen ids (where a derived one reads badly) each name a route that still exists.
        foreach (var (route, id) in OpenApiOperationIds.ChosenIds)
        {
            var operation = Assert.Single(document.Operations, o => o.OperationId == id);
            Assert.Equal(route, $"{operation.Method} {operation.Template}");
        }
    }

    [Fact]
    public async Task Streams_and_image_content_name_their_media_types()
    {
        var document = await DocumentAsync();
        Assert.NotNull(Operation(document, "streamGenerationEvents")["responses"]!["200"]!["content"]!["text/event-stream"]);
        Assert.NotNull(Operation(document, "streamAllGenerationEvents")["responses"]!["200"]!["content"]!["text/event-stream"]);
        var image = Operation(document, "getImageContent")["responses"]!["200"]!["content"]!.AsObject();
        Assert.Contains(image, c => c.Key.StartsWith("image/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Info_describes_getting_started_and_examples_match_their_schemas()
    {
        var document = await DocumentAsync();
        var description = document.Document["info"]!["description"]!.GetValue<string>();
        foreach (var part in new[] { "Getting started", "/api/v1/keys", "curl", "sdk/python", "sdk/typescript", "sdk/csharp", "text/event-stream", "webhook-signature", "RateLimit-Remaining", "problem+json" })
        {
            Assert.Contains(part, description, StringComparison.Ordinal);
        }

        var examples = 0;
        foreach (var operation in document.Operations)
        {
            if (operation.Node["requestBody"]?["content"]?["application/json"]?["example"] is { } request)
            {
                examples++;
                Assert.Null(document.CheckRequest(operation, "application/json", request.ToJsonString()));
            }

            foreach (var (status, response) in operation.Node["responses"]!.AsObject())
            {
                if (response?["content"]?["application/json"]?["example"] is { } body)
                {
                    examples++;
                    var path = operation.Template.Replace("{id}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
                    Assert.Null(document.CheckResponse(operation.Method, path, int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), "application/json", body.ToJsonString()));
                }
            }
        }

        foreach (var id in new[] { "createGeneration", "estimateGeneration", "createWebhookEndpoint" })
        {
            Assert.NotNull(Operation(document, id)["requestBody"]!["content"]!["application/json"]!["example"]);
        }

        Assert.True(examples >= 6, $"{examples} examples");
    }

    [Fact]
    public async Task Docs_page_is_served_offline_and_points_at_the_document()
    {
        using var client = fixture.Server.CreateClient();
        var page = await client.GetStringAsync("/docs/index.html");
        Assert.Contains("swagger-ui", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("cdn", page, StringComparison.OrdinalIgnoreCase);
        var config = await client.GetStringAsync("/docs/index.js");
        Assert.Contains("/openapi/v1.json", config, StringComparison.Ordinal);
        var bundle = await client.GetAsync("/docs/swagger-ui-bundle.js");
        Assert.Equal(System.Net.HttpStatusCode.OK, bundle.StatusCode);
    }

    private static JsonObject Operation(OpenApiValidator document, string id) => document.Operations.Single(o => o.OperationId == id).Node;
}
