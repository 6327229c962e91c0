using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pingvas.Core.Workflows;

/// <summary>A field the run form offers: where it is, its type from InvokeAI's schema and its current value.</summary>
public sealed record ExposedField(string NodeId, string Field, string Label, string Type, JsonNode? Value,
    IReadOnlyList<string>? Options = null, double? Min = null, double? Max = null);

/// <summary>
/// Run inputs: <c>{"&lt;nodeId&gt;.&lt;field&gt;": value}</c> sets an exposed field, checked against its type.
/// An image input is one of the owner's image ids (checked by the server) and becomes
/// <c>{image_name: "pingvas:image:&lt;id&gt;"}</c>; an image field nobody set that names an image is refused,
/// since it would name a file on someone's InvokeAI node.
/// </summary>
public static class WorkflowInputs
{
    public const string ImagePrefix = "pingvas:image:";

    /// <summary>The exposed fields with their types (fields of unknown type are shown as <c>string</c>, not settable).</summary>
    public static IReadOnlyList<ExposedField> Describe(WorkflowGraph graph, WorkflowNodeCatalog catalog) =>
    [
        .. graph.Exposed.Select(x =>
        {
            var node = graph.Node(x.NodeId)!;
            var spec = catalog.Field(node.Type, x.Field);
            return new ExposedField(x.NodeId, x.Field, x.Label, spec?.Type ?? "string", node.Fields[x.Field]?.DeepClone(), spec?.Options, spec?.Min, spec?.Max);
        }),
    ];

    /// <summary>Sets the inputs into the graph's fields; returns the image ids the graph's image fields now name.</summary>
    public static (IReadOnlyList<Guid> Images, WorkflowError? Error) Apply(WorkflowGraph graph, WorkflowNodeCatalog catalog, IReadOnlyDictionary<string, JsonElement> inputs)
    {
        var set = new HashSet<(string, string)>();
        foreach (var (key, value) in inputs)
        {
            var dot = key.LastIndexOf('.');
            var (nodeId, field) = dot > 0 ? (key[..dot], key[(dot + 1)..]) : ("", key);
            var node = graph.Node(nodeId);
            var spec = node is null ? null : catalog.Field(node.Type, field);
            if (node is null || spec is null || !graph.Exposed.Any(x => x.NodeId == nodeId && x.Field == field) || graph.EdgeInto(nodeId, field) is not null)
            {
                return ([], Invalid($"'{key}' is not an exposed field of this workflow."));
            }

            var (converted, problem) = Convert(spec, value);
            if (problem is not null)
            {
                return ([], Invalid($"'{key}': {problem}"));
            }

            node.Fields[field] = converted;
            set.Add((nodeId, field));
        }

        var images = new List<Guid>();
        foreach (var node in graph.Nodes)
        {
            foreach (var (name, value) in node.Fields)
            {
                if (catalog.Field(node.Type, name)?.Type != "image" || value is null)
                {
                    continue;
                }

                var imageName = value is JsonObject o ? WorkflowChecks.Text(o["image_name"]) : null;
                if (!set.Contains((node.Id, name)) || ImageId(imageName) is not { } id)
                {
                    return ([], Invalid($"'{node.Id}.{name}' names an image ('{imageName ?? value.ToJsonString()}') no input sets; expose the field and give one of your image ids."));
                }

                if (!images.Contains(id))
                {
                    images.Add(id);
                }
            }
        }

        return (images, null);
    }

    private static (JsonNode? Value, string? Problem) Convert(NodeFieldSpec spec, JsonElement value)
    {
        var kind = value.ValueKind;
        switch (spec.Type)
        {
            case "string" when kind == JsonValueKind.String:
                return (JsonNode.Parse(value.GetRawText()), null);
            case "enum" when kind == JsonValueKind.String && spec.Options is { } options:
                return options.Contains(value.GetString()!) ? (JsonNode.Parse(value.GetRawText()), null) : (null, $"must be one of {string.Join(", ", options)}.");
            case "boolean" when kind is JsonValueKind.True or JsonValueKind.False:
                return (JsonNode.Parse(value.GetRawText()), null);
            case "integer" or "float" when kind == JsonValueKind.Number:
                var number = value.GetDouble();
                if (spec.Type == "integer" && number != Math.Floor(number))
                {
                    return (null, "must be a whole number.");
                }

                return (spec.Min is { } min && number < min) || (spec.Max is { } max && number > max)
                    ? (null, $"must be between {spec.Min?.ToString() ?? "-∞"} and {spec.Max?.ToString() ?? "∞"}.")
                    : (JsonNode.Parse(value.GetRawText()), null);
            case "image" when kind == JsonValueKind.String && Guid.TryParse(value.GetString(), out var id):
                return (new JsonObject { ["image_name"] = ImagePrefix + id.ToString("D") }, null);
            case "model" when kind == JsonValueKind.Object:
                var model = JsonNode.Parse(value.GetRawText())!.AsObject();
                return new[] { "name", "base", "type" }.All(k => WorkflowChecks.Text(model[k]) is { Length: > 0 })
                    ? (model, null)
                    : (null, "must be a model with name, base and type.");
            default:
                return (null, $"must be a {(spec.Type == "image" ? "image id" : spec.Type)}.");
        }
    }

    /// <summary>The image id of a <c>pingvas:image:&lt;id&gt;</c> name.</summary>
    public static Guid? ImageId(string? imageName) =>
        imageName is not null && imageName.StartsWith(ImagePrefix, StringComparison.Ordinal) && Guid.TryParse(imageName[ImagePrefix.Length..], out var id) ? id : null;

    private static WorkflowError Invalid(string detail) => new(WorkflowErrorKind.InvalidInput, detail);
}
