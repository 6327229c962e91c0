using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pingvas.Server.Hosting;

/// <summary>
/// Writes every time as UTC ISO 8601 with microseconds — what PostgreSQL stores — so a value
/// reads the same whether it came from memory or from either database.
/// </summary>
public sealed class UtcDateTimeConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTime().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
    {
        var utc = DateTime.SpecifyKind(value, DateTimeKind.Utc);
        writer.WriteStringValue(utc.AddTicks(-(utc.Ticks % 10)).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
    }
}
