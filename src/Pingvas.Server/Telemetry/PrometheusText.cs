using System.Globalization;
using System.Text;

namespace Pingvas.Server.Telemetry;

/// <summary>
/// The Prometheus text exposition format 0.0.4: names sanitised as OpenTelemetry's Prometheus
/// exporter does (<c>http.server.request.duration</c> in <c>s</c> → <c>http_server_request_duration_seconds</c>),
/// <c>_total</c> on counters, label values escaped, numbers in invariant culture with +Inf/-Inf/NaN.
/// </summary>
public static class PrometheusText
{
    /// <summary>Units whose Prometheus suffix differs from the unit itself; annotations like <c>{request}</c> add nothing.</summary>
    private static readonly Dictionary<string, string> UnitSuffixes = new(StringComparer.Ordinal)
    {
        ["s"] = "seconds",
        ["ms"] = "milliseconds",
        ["us"] = "microseconds",
        ["By"] = "bytes",
        ["KiBy"] = "kibibytes",
        ["MiBy"] = "mebibytes",
    };

    public static string MetricName(string name, string? unit, bool counter)
    {
        var result = Sanitize(name, allowColon: true);
        if (unit is { Length: > 0 } && !unit.StartsWith('{') && unit != "1")
        {
            var suffix = Sanitize(UnitSuffixes.GetValueOrDefault(unit, unit), allowColon: false);
            if (!result.EndsWith("_" + suffix, StringComparison.Ordinal))
            {
                result += "_" + suffix;
            }
        }

        if (counter && !result.EndsWith("_total", StringComparison.Ordinal))
        {
            result += "_total";
        }

        return result;
    }

    /// <summary>Replaces what the format does not allow with <c>_</c>, collapses repeats, and keeps a leading digit out.</summary>
    public static string Sanitize(string name, bool allowColon)
    {
        var text = new StringBuilder(name.Length + 1);
        foreach (var c in name)
        {
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' || (allowColon && c == ':');
            var next = ok ? c : '_';
            if (next == '_' && text.Length > 0 && text[^1] == '_')
            {
                continue;
            }

            text.Append(next);
        }

        if (text.Length == 0 || char.IsAsciiDigit(text[0]))
        {
            text.Insert(0, '_');
        }

        return text.ToString();
    }

    /// <summary>A label set as it goes between the braces, sorted by name: <c>a="x",b="y"</c> (empty for none).</summary>
    public static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var sorted = tags.ToArray();
        if (sorted.Length > 1)
        {
            Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        }

        var text = new StringBuilder();
        foreach (var (key, value) in sorted)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(Sanitize(key, allowColon: false)).Append("=\"");
            Escape(text, value switch
            {
                null => "",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "",
            }, quote: true);
            text.Append('"');
        }

        return text.ToString();
    }

    public static string WithLe(string labels, string le) => labels.Length == 0 ? $"le=\"{le}\"" : $"{labels},le=\"{le}\"";

    public static void Header(StringBuilder text, string name, string type, string help)
    {
        text.Append("# HELP ").Append(name).Append(' ');
        Escape(text, help, quote: false);
        text.Append('\n').Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    public static void Sample(StringBuilder text, string name, string labels, double value)
    {
        text.Append(name);
        if (labels.Length > 0)
        {
            text.Append('{').Append(labels).Append('}');
        }

        text.Append(' ').Append(Number(value)).Append('\n');
    }

    public static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Backslash and newline always; the double quote inside label values only (HELP keeps it).</summary>
    private static void Escape(StringBuilder text, string value, bool quote)
    {
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => text.Append("\\\\"),
                '\n' => text.Append("\\n"),
                '"' when quote => text.Append("\\\""),
                _ => text.Append(c),
            };
        }
    }
}
