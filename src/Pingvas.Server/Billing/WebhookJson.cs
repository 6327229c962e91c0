using System.Globalization;
using System.Text.Json;

namespace Pingvas.Server.Billing;

/// <summary>Lenient reads of provider JSON: a missing or differently typed field is null, never an exception.</summary>
internal static class WebhookJson
{
    public static JsonElement? Get(this JsonElement e, params string[] path)
    {
        var current = e;
        foreach (var name in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return null;
            }
        }

        return current.ValueKind == JsonValueKind.Null ? null : current;
    }

    /// <summary>A string, or a number's text (Lemon Squeezy ids are numbers in attributes, strings in data.id).</summary>
    public static string? Str(this JsonElement e, params string[] path) => e.Get(path) switch
    {
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
        _ => null,
    };

    public static bool Bool(this JsonElement e, params string[] path) => e.Get(path) is { ValueKind: JsonValueKind.True };

    public static long? Long(this JsonElement e, params string[] path) => e.Get(path) switch
    {
        { ValueKind: JsonValueKind.Number } n when n.TryGetInt64(out var v) => v,
        { ValueKind: JsonValueKind.String } s when long.TryParse(s.GetString(), CultureInfo.InvariantCulture, out var v) => v,
        _ => null,
    };

    public static int Int(this JsonElement e, params string[] path) => (int)Math.Clamp(e.Long(path) ?? 0, int.MinValue, int.MaxValue);

    /// <summary>An ISO-8601 time (Lemon Squeezy) as UTC.</summary>
    public static DateTime? Time(this JsonElement e, params string[] path) =>
        e.Str(path) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t.UtcDateTime : null;

    /// <summary>A Unix time in seconds (Stripe) as UTC.</summary>
    public static DateTime? Unix(this JsonElement e, params string[] path) =>
        e.Long(path) is { } s ? DateTimeOffset.FromUnixTimeSeconds(s).UtcDateTime : null;

    public static Guid? UserId(string? text) => Guid.TryParse(text, out var id) ? id : null;
}
