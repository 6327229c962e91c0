using System.Globalization;
using System.Text.Json;

namespace Pingvas.Engines.InvokeAi;

/// <summary>The parts of a SessionQueueItem the engine reads (null fields are omitted by the node).</summary>
public sealed record InvokeAiQueueItem(
    int ItemId,
    string Status,
    string? ErrorType,
    string? ErrorMessage,
    DateTime? StartedAt,
    DateTime? CompletedAt,
    JsonElement? Session)
{
    public bool IsFinished => Status is "completed" or "failed" or "canceled";

    /// <summary>completed_at − started_at: the time the GPU was held for this item (model loads included).</summary>
    public TimeSpan ComputeTime =>
        StartedAt is { } started && CompletedAt is { } completed && completed > started ? completed - started : TimeSpan.Zero;

    public static InvokeAiQueueItem Parse(JsonElement item) => new(
        item.GetProperty("item_id").GetInt32(),
        Text(item, "status") ?? "pending",
        Text(item, "error_type"),
        Text(item, "error_message"),
        InvokeAiTime.Parse(Text(item, "started_at")),
        InvokeAiTime.Parse(Text(item, "completed_at")),
        item.TryGetProperty("session", out var session) && session.ValueKind == JsonValueKind.Object ? session : null);

    /// <summary>The image the node produced for our output node (session.results via source_prepared_mapping).</summary>
    public string? OutputImageName(string outputNodeId) => OutputImageNames(outputNodeId).FirstOrDefault();

    /// <summary>Every image a graph node produced: one per prepared copy (several when it runs inside an iterate).</summary>
    public IReadOnlyList<string> OutputImageNames(string outputNodeId)
    {
        var names = new List<string>();
        if (Session is not { } session
            || !session.TryGetProperty("source_prepared_mapping", out var mapping)
            || !mapping.TryGetProperty(outputNodeId, out var prepared)
            || prepared.ValueKind != JsonValueKind.Array
            || !session.TryGetProperty("results", out var results))
        {
            return names;
        }
        foreach (var id in prepared.EnumerateArray())
        {
            if (id.GetString() is { } preparedId
                && results.TryGetProperty(preparedId, out var output)
                && output.TryGetProperty("image", out var image)
                && Text(image, "image_name") is { } name)
            {
                names.Add(name);
            }
        }
        return names;
    }

    /// <summary>Every image the session wrote (outputs and intermediates such as expanded masks), to delete them all.</summary>
    public IReadOnlyCollection<string> ResultImageNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (Session is { } session && session.TryGetProperty("results", out var results))
        {
            Collect(results, names);
        }
        return names;
    }

    private static void Collect(JsonElement e, HashSet<string> names)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in e.EnumerateObject())
            {
                if (property.Name == "image_name" && property.Value.ValueKind == JsonValueKind.String)
                {
                    names.Add(property.Value.GetString()!);
                }
                else
                {
                    Collect(property.Value, names);
                }
            }
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var element in e.EnumerateArray())
            {
                Collect(element, names);
            }
        }
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>InvokeAI writes timestamps as UTC without a zone ("2026-08-19 03:13:04.123"); read them as UTC.</summary>
public static class InvokeAiTime
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
        "yyyy-MM-ddTHH:mm:ss",
    ];

    public static DateTime? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (DateTime.TryParseExact(value, Formats, CultureInfo.InvariantCulture, styles, out var exact))
        {
            return exact;
        }
        // A zone-qualified ISO string, should a proxy or a later version send one.
        return DateTime.TryParse(value, CultureInfo.InvariantCulture, styles, out var parsed) ? parsed : null;
    }
}
