using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

using Microsoft.AspNetCore.Http.Metadata;

using Pingvas.Server.Developer;

namespace Pingvas.Server.Hosting.OpenApi;

/// <summary>
/// Completes the generated document from the endpoints' metadata: one operation per route (also
/// for routes the generator skips), operation ids, summaries, tags, security, problem responses
/// with their codes, examples, and the document's info and security schemes.
/// Works on the JSON form: it is what clients read, and plain to check.
/// </summary>
public static class OpenApiDocumentFinisher
{
    public const string ProblemSchema = "ProblemDetails";
    private static readonly string[] Methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    public static JsonObject Finish(JsonObject document, IReadOnlyList<OpenApiRoute> routes, JsonSerializerOptions json)
    {
        document["info"] = new JsonObject
        {
            ["title"] = "Pingvas Studio API",
            ["version"] = "v1",
            ["description"] = OpenApiGuide.Markdown,
        };
        var paths = NormalizePaths(document["paths"] as JsonObject ?? []);
        document["paths"] = paths;
        var components = document["components"] as JsonObject ?? [];
        document["components"] = components;
        var schemas = components["schemas"] as JsonObject ?? [];
        components["schemas"] = schemas;
        schemas[ProblemSchema] = ProblemDetailsSchema();
        components["securitySchemes"] = SecuritySchemes();

        foreach (var route in routes)
        {
            var item = paths[route.Path] as JsonObject ?? [];
            paths[route.Path] = item;
            var operation = item[route.Method.ToLowerInvariant()] as JsonObject ?? Placeholder(route);
            item[route.Method.ToLowerInvariant()] = operation;
            FinishOperation(route, operation, json);
        }

        document["tags"] = new JsonArray([.. paths.SelectMany(p => Operations(p.Value as JsonObject))
            .SelectMany(o => o["tags"]?.AsArray().Select(t => t!.GetValue<string>()) ?? [])
            .Distinct().Order(StringComparer.Ordinal).Select(t => (JsonNode)new JsonObject { ["name"] = t })]);
        return document;
    }

    private static IEnumerable<JsonObject> Operations(JsonObject? item) =>
        item is null ? [] : Methods.Select(m => item[m]).OfType<JsonObject>();

    /// <summary>Merges <c>/x/</c> into <c>/x</c> (routing treats them as one).</summary>
    private static JsonObject NormalizePaths(JsonObject paths)
    {
        var normalized = new JsonObject();
        foreach (var (path, item) in paths.ToList())
        {
            paths.Remove(path);
            var key = OpenApiRoutes.Normalize(path);
            if (normalized[key] is JsonObject existing && item is JsonObject more)
            {
                foreach (var (method, operation) in more.ToList())
                {
                    more.Remove(method);
                    existing[method] = operation;
                }
            }
            else
            {
                normalized[key] = item;
            }
        }

        return normalized;
    }

    /// <summary>A route the generator does not describe (a plain RequestDelegate): its success from Produces metadata.</summary>
    private static JsonObject Placeholder(OpenApiRoute route)
    {
        var responses = new JsonObject();
        foreach (var produces in route.Endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>().Where(p => p.StatusCode < 400))
        {
            responses[produces.StatusCode.ToString(CultureInfo.InvariantCulture)] = new JsonObject { ["description"] = "Success." };
        }

        if (responses.Count == 0)
        {
            responses["200"] = new JsonObject { ["description"] = "Success." };
        }

        var parameters = new JsonArray([.. route.Endpoint.RoutePattern.Parameters.Select(p => (JsonNode)new JsonObject
        {
            ["name"] = p.Name,
            ["in"] = "path",
            ["required"] = true,
            ["schema"] = new JsonObject { ["type"] = "string" },
        })]);
        return new JsonObject { ["parameters"] = parameters, ["responses"] = responses };
    }

    private static void FinishOperation(OpenApiRoute route, JsonObject operation, JsonSerializerOptions json)
    {
        var metadata = route.Endpoint.Metadata;
        var id = OpenApiOperationIds.For(route);
        operation["operationId"] = id;
        operation["summary"] ??= metadata.GetMetadata<IEndpointSummaryMetadata>()?.Summary ?? Sentence(id);
        if (operation["tags"] is not JsonArray { Count: > 0 })
        {
            var tags = metadata.GetMetadata<ITagsMetadata>()?.Tags ?? [DefaultTag(route.Path)];
            operation["tags"] = new JsonArray([.. tags.Select(t => (JsonNode)JsonValue.Create(t))]);
        }

        var notes = new List<string>();
        if (operation["description"]?.GetValue<string>() is { Length: > 0 } existing)
        {
            notes.Add(existing);
        }

        var scope = metadata.GetMetadata<ApiKeyAccess>()?.Scope;
        operation["security"] = Security(route, scope);
        if (route.IsAnonymous)
        {
            notes.Add("No authentication.");
        }
        else if (scope is not null)
        {
            operation["x-api-key-scope"] = scope;
            notes.Add($"Authentication: a session access token, or an API key with the `{scope}` scope.");
        }
        else
        {
            notes.Add(route.IsAdmin
                ? "Authentication: an administrator's session signed in with TOTP. API keys are refused."
                : "Authentication: a session access token. API keys are refused (`api_key_not_allowed`).");
        }

        FixContentOnlyResponses(route, operation);
        if (metadata.GetMetadata<RequestMediaTypes>() is { } media && operation["requestBody"] is null)
        {
            operation["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject([.. media.ContentTypes.Select(type => KeyValuePair.Create(type, (JsonNode?)new JsonObject
                {
                    ["schema"] = new JsonObject { ["type"] = "string", ["contentMediaType"] = type },
                }))]),
            };
        }

        var responses = operation["responses"] as JsonObject ?? [];
        operation["responses"] = responses;
        foreach (var (status, codes) in OpenApiProblemResponses.For(route, operation["requestBody"] is not null, HasQuery(operation)))
        {
            var key = status.ToString(CultureInfo.InvariantCulture);
            var list = string.Join(", ", codes.Select(c => $"`{c}`"));
            responses[key] = new JsonObject
            {
                ["description"] = $"Problem ({ReasonPhrase(status)}). Codes: {list}.",
                ["content"] = new JsonObject
                {
                    ["application/problem+json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = $"#/components/schemas/{ProblemSchema}" } },
                },
                ["x-problem-codes"] = new JsonArray([.. codes.Select(c => (JsonNode)JsonValue.Create(c))]),
            };
        }

        AddExamples(metadata, operation, json);
        operation["description"] = string.Join("\n\n", notes);
    }

    private static bool HasQuery(JsonObject operation) =>
        operation["parameters"] is JsonArray parameters && parameters.Any(p => p?["in"]?.GetValue<string>() == "query");

    private static JsonArray Security(OpenApiRoute route, string? scope)
    {
        if (route.IsAnonymous)
        {
            return [];
        }

        var security = new JsonArray { new JsonObject { ["bearer"] = new JsonArray() } };
        if (scope is not null)
        {
            security.Add(new JsonObject { ["apiKey"] = new JsonArray() });
            security.Add(new JsonObject { ["apiKeyHeader"] = new JsonArray() });
        }

        return security;
    }

    /// <summary>
    /// <c>.Produces(200, contentType: "text/event-stream")</c> without a type leaves no content in the
    /// generated response; the media type still matters to clients.
    /// </summary>
    private static void FixContentOnlyResponses(OpenApiRoute route, JsonObject operation)
    {
        var responses = operation["responses"] as JsonObject ?? [];
        operation["responses"] = responses;
        foreach (var produces in route.Endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>())
        {
            if (produces.Type is not null && produces.Type != typeof(void) || !produces.ContentTypes.Any())
            {
                continue;
            }

            var key = produces.StatusCode.ToString(CultureInfo.InvariantCulture);
            var response = responses[key] as JsonObject ?? new JsonObject { ["description"] = "Success." };
            responses[key] = response;
            var content = response["content"] as JsonObject ?? [];
            response["content"] = content;
            foreach (var contentType in produces.ContentTypes)
            {
                content[contentType] ??= new JsonObject
                {
                    ["schema"] = contentType == "text/event-stream"
                        ? new JsonObject { ["type"] = "string", ["description"] = "Server-Sent Events: `id`, `event` and a JSON `data` line per event." }
                        : new JsonObject { ["type"] = "string", ["contentMediaType"] = contentType },
                };
            }
        }
    }

    private static void AddExamples(EndpointMetadataCollection metadata, JsonObject operation, JsonSerializerOptions json)
    {
        foreach (var example in metadata.GetOrderedMetadata<OpenApiExample>())
        {
            var node = JsonSerializer.SerializeToNode(example.Value, example.Value.GetType(), json);
            var target = example.Status is { } status
                ? operation["responses"]?[status.ToString(CultureInfo.InvariantCulture)]?["content"]?["application/json"]
                : operation["requestBody"]?["content"]?["application/json"];
            if (target is JsonObject media)
            {
                media["example"] = node;
            }
        }
    }

    private static string DefaultTag(string path)
    {
        var first = path.Split('/', StringSplitOptions.RemoveEmptyEntries).SkipWhile(s => s is "api" or "v1").FirstOrDefault() ?? "API";
        return CultureInfo.InvariantCulture.TextInfo.ToTitleCase(first.Replace('-', ' '));
    }

    /// <summary><c>listWebhookEndpoints</c> → "List webhook endpoints".</summary>
    private static string Sentence(string operationId)
    {
        var words = System.Text.RegularExpressions.Regex.Replace(operationId, "(?<=[a-z0-9])([A-Z])", " $1").ToLowerInvariant();
        return char.ToUpperInvariant(words[0]) + words[1..] + ".";
    }

    private static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? $"{status} {phrase}" : status.ToString(CultureInfo.InvariantCulture);

    private static JsonObject ProblemDetailsSchema() => new()
    {
        ["type"] = "object",
        ["description"] = "RFC 9457 problem details. Branch on `code`; `title` and `detail` are for people. Other members (e.g. `needed`, `balance`, `resetAt`, `requiredScope`) depend on the code.",
        ["required"] = new JsonArray("status", "code"),
        ["properties"] = new JsonObject
        {
            ["type"] = new JsonObject { ["type"] = "string" },
            ["title"] = new JsonObject { ["type"] = "string" },
            ["status"] = new JsonObject { ["type"] = "integer" },
            ["detail"] = new JsonObject { ["type"] = new JsonArray("string", "null") },
            ["instance"] = new JsonObject { ["type"] = new JsonArray("string", "null") },
            ["code"] = new JsonObject { ["type"] = "string", ["description"] = "Stable machine-readable code, listed per response in `x-problem-codes`." },
            ["errors"] = new JsonObject
            {
                ["type"] = "object",
                ["description"] = "validation_failed: the messages per field.",
                ["additionalProperties"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
            },
            ["traceId"] = new JsonObject { ["type"] = "string" },
        },
        ["additionalProperties"] = true,
    };

    private static JsonObject SecuritySchemes() => new()
    {
        ["bearer"] = new JsonObject
        {
            ["type"] = "http",
            ["scheme"] = "bearer",
            ["bearerFormat"] = "JWT",
            ["description"] = "A session access token from POST /api/v1/auth/login (15 minutes; refresh with POST /api/v1/auth/refresh).",
        },
        ["apiKey"] = new JsonObject
        {
            ["type"] = "http",
            ["scheme"] = "bearer",
            ["bearerFormat"] = "pv_live_…",
            ["description"] = "An API key as `Authorization: Bearer pv_live_…`. Only routes that name a scope (`x-api-key-scope`) accept keys.",
        },
        ["apiKeyHeader"] = new JsonObject
        {
            ["type"] = "apiKey",
            ["in"] = "header",
            ["name"] = "X-API-Key",
            ["description"] = "The same API key in the `X-API-Key` header instead of Authorization.",
        },
    };
}
