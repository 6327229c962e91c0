extern alias JsonSchemaNet;

using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

using JsonSchemaNet::Json.Schema;

namespace Pingvas.Server.Tests.OpenApi;

/// <summary>One operation of the document: its method, path template and the operation object.</summary>
public sealed record OpenApiOperation(string Method, string Template, string OperationId, JsonObject Node, Regex Pattern, Regex CatchAll, int Parameters);

/// <summary>
/// Checks requests and responses against the OpenAPI document: the status is documented for the
/// operation, the content type is one it lists, a JSON body validates against its schema (JSON
/// Schema 2020-12, <c>#/components/schemas</c> resolved), and a problem's <c>code</c> is one of the
/// response's <c>x-problem-codes</c>. Returns a description of the first mismatch, or null.
/// </summary>
public sealed class OpenApiValidator
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];
    private readonly IReadOnlyList<OpenApiOperation> operations;
    private readonly JsonObject defs;
    private readonly ConcurrentDictionary<string, JsonSchema> schemas = new();
    private readonly BuildOptions build = new() { SchemaRegistry = new SchemaRegistry() };

    public OpenApiValidator(string documentJson)
    {
        // OpenAPI 3.1 schemas are JSON Schema 2020-12; moved under $defs, their refs resolve in one schema.
        var document = JsonNode.Parse(documentJson.Replace("\"#/components/schemas/", "\"#/$defs/", StringComparison.Ordinal))!.AsObject();
        Document = document;
        defs = document["components"]?["schemas"]?.AsObject() ?? [];
        var list = new List<OpenApiOperation>();
        foreach (var (template, item) in document["paths"]!.AsObject())
        {
            foreach (var method in Methods)
            {
                if (item?[method] is JsonObject operation)
                {
                    var escaped = Regex.Escape(template).Replace("\\{", "{", StringComparison.Ordinal);
                    var segment = "^" + Regex.Replace(escaped, "{[^}]+}", "[^/]+") + "$";
                    var catchAll = "^" + Regex.Replace(escaped, "{[^}]+}$", ".+") + "$";
                    list.Add(new OpenApiOperation(method.ToUpperInvariant(), template, operation["operationId"]?.GetValue<string>() ?? "",
                        operation, new Regex(segment, RegexOptions.CultureInvariant), new Regex(catchAll, RegexOptions.CultureInvariant), template.Count(c => c == '{')));
                }
            }
        }

        // A literal segment wins over a parameter: /generations/events is not /generations/{id}.
        operations = [.. list.OrderBy(o => o.Parameters)];
    }

    public JsonObject Document { get; }

    public IReadOnlyList<OpenApiOperation> Operations => operations;

    public OpenApiOperation? Find(string method, string path) =>
        operations.FirstOrDefault(o => o.Method == method && o.Pattern.IsMatch(path))
        // A last parameter may be a catch-all ({**key}): the document cannot say, so try it last.
        ?? operations.FirstOrDefault(o => o.Method == method && o.CatchAll.IsMatch(path));

    /// <summary>Checks a JSON request body against the operation's request schema.</summary>
    public string? CheckRequest(OpenApiOperation operation, string? contentType, string body)
    {
        if (body.Length == 0 || MediaType(contentType) != "application/json")
        {
            return null;
        }

        var schema = operation.Node["requestBody"]?["content"]?["application/json"]?["schema"];
        return schema is null
            ? $"{operation.OperationId}: a JSON body was sent but the operation documents none. Body: {Excerpt(body)}"
            : Validate($"{operation.OperationId} request", schema, body);
    }

    /// <summary>Checks one response; <paramref name="body"/> null when it is a stream that was not read.</summary>
    public string? CheckResponse(string method, string path, int status, string? contentType, string? body)
    {
        if (!path.StartsWith("/api/", StringComparison.Ordinal) || method is "HEAD" or "OPTIONS")
        {
            return null;
        }

        if (status == 405)
        {
            // Routing's answer, not an operation's: the path exists with other methods only.
            return null;
        }

        var operation = Find(method, path);
        if (operation is null)
        {
            // Unknown routes and methods: the server's generic 404/405 problems.
            return status is 404 or 405 ? null : $"{method} {path}: no operation in the document, but the server answered {status}.";
        }

        var where = $"{operation.OperationId} ({method} {operation.Template}) {status}";
        var response = operation.Node["responses"]?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] ?? operation.Node["responses"]?["default"];
        if (response is null)
        {
            return $"{where}: status {status} is not documented. Body: {Excerpt(body)}";
        }

        var media = MediaType(contentType);
        var content = response["content"] as JsonObject;
        if (content is null || content.Count == 0)
        {
            return string.IsNullOrEmpty(body) ? null : $"{where}: the document lists no body, the server sent {media}. Body: {Excerpt(body)}";
        }

        if (media is null)
        {
            return string.IsNullOrEmpty(body) ? null : $"{where}: a body without a content type.";
        }

        var documented = content.FirstOrDefault(c => c.Key == media || c.Key.EndsWith("/*", StringComparison.Ordinal) && media.StartsWith(c.Key[..^1], StringComparison.Ordinal));
        if (documented.Value is null)
        {
            return $"{where}: content type {media} is not one of {string.Join(", ", content.Select(c => c.Key))}.";
        }

        if (body is null || !(media.EndsWith("json", StringComparison.Ordinal)) || documented.Value["schema"] is not { } schema)
        {
            return null;
        }

        if (Validate(where, schema, body) is { } invalid)
        {
            return invalid;
        }

        if (media == "application/problem+json" && response["x-problem-codes"] is JsonArray codes)
        {
            var code = JsonNode.Parse(body)?["code"]?.GetValue<string>();
            if (!codes.Any(c => c?.GetValue<string>() == code))
            {
                return $"{where}: problem code '{code}' is not in x-problem-codes [{string.Join(", ", codes)}]. Body: {Excerpt(body)}";
            }
        }

        return null;
    }

    private string? Validate(string where, JsonNode schemaNode, string body)
    {
        JsonElement instance;
        try
        {
            instance = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            return $"{where}: the body is not JSON. Body: {Excerpt(body)}";
        }

        var key = schemaNode.ToJsonString();
        var schema = schemas.GetOrAdd(key, _ =>
        {
            var wrapper = new JsonObject
            {
                ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                ["$defs"] = defs.DeepClone(),
                ["allOf"] = new JsonArray(schemaNode.DeepClone()),
            };
            return JsonSchema.FromText(wrapper.ToJsonString(), build, new Uri($"https://pingvas.test/openapi/{Guid.NewGuid():N}"));
        });
        var result = schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid)
        {
            return null;
        }

        var errors = (result.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Value}"))
            .Take(5);
        return $"{where}: the body does not match the schema: {string.Join("; ", errors)}. Body: {Excerpt(body)}";
    }

    private static string? MediaType(string? contentType) =>
        contentType?.Split(';')[0].Trim().ToLowerInvariant() is { Length: > 0 } media ? media : null;

    public static string Excerpt(string? body) =>
        body is null ? "(not read)" : body.Length > 600 ? body[..600] + "…" : body;
}
