using System.Text;
using System.Text.Json;

using Pingvas.Server.Generation;

namespace Pingvas.Server.Realtime;

/// <summary>A generation event as heard on <see cref="EventChannels.Events"/>: the full event, or only a reference to read it by.</summary>
public sealed record GenerationNotice(Guid UserId, JsonElement? Event, Guid JobId, int? Balance);

/// <summary>
/// The <c>NOTIFY</c> payload of a generation event. PostgreSQL refuses payloads of 8000 bytes or
/// more, so: <c>{"u":owner,"e":event}</c> when it fits in <see cref="Budget"/> bytes; else the
/// same without the live preview (a few KB of WebP); else, only for events too big even then (long
/// prompts and many images), <c>{"u":owner,"j":job,"b":balance}</c>, and the receiver reads the job.
/// </summary>
public static class GenerationEventPayload
{
    /// <summary>Bytes (UTF-8, the server encoding) a payload may take; well under PostgreSQL's 8000.</summary>
    public const int Budget = 7000;

    public static string Encode(Guid userId, GenerationDto generation, JsonSerializerOptions options)
    {
        var full = Full(userId, generation, options);
        if (Fits(full))
        {
            return full;
        }

        if (generation.Preview is not null && Full(userId, generation with { Preview = null }, options) is var lean && Fits(lean))
        {
            return lean;
        }

        return JsonSerializer.Serialize(new Dictionary<string, object?> { ["u"] = userId, ["j"] = generation.Id, ["b"] = generation.Balance });
    }

    public static GenerationNotice Decode(string payload)
    {
        using var document = JsonDocument.Parse(payload);
        var root = document.RootElement;
        var userId = root.GetProperty("u").GetGuid();
        if (root.TryGetProperty("e", out var generation))
        {
            return new GenerationNotice(userId, generation.Clone(), generation.GetProperty("id").GetGuid(), null);
        }

        var balance = root.TryGetProperty("b", out var b) && b.ValueKind == JsonValueKind.Number ? b.GetInt32() : (int?)null;
        return new GenerationNotice(userId, null, root.GetProperty("j").GetGuid(), balance);
    }

    private static string Full(Guid userId, GenerationDto generation, JsonSerializerOptions options) =>
        $"{{\"u\":\"{userId}\",\"e\":{JsonSerializer.Serialize(generation, options)}}}";

    private static bool Fits(string payload) => Encoding.UTF8.GetByteCount(payload) <= Budget;
}
