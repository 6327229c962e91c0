using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Pingvas.Sdk;

/// <summary>Turns a refused answer into the matching <see cref="PingvasApiException"/>.</summary>
internal static class ProblemReader
{
    public static async Task<PingvasApiException> ReadAsync(HttpResponseMessage response, DateTimeOffset now, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        var retryAfter = RetryAfter(response.Headers, now);
        var problem = await BodyAsync(response, ct);
        var code = Text(problem, "code");
        var title = Text(problem, "title") ?? response.ReasonPhrase;
        var detail = Text(problem, "detail");
        return (status, code) switch
        {
            (429, "api_quota_exceeded") => new QuotaExceededException(status, code, title, detail, problem, retryAfter, ResetAt(problem), Int(problem, "limit")),
            (429, _) => new RateLimitedException(status, code, title, detail, problem, retryAfter),
            (404, _) => new NotFoundException(status, code, title, detail, problem, retryAfter),
            (400, "validation_failed") => new ValidationFailedException(status, code, title, detail, problem, retryAfter, Errors(problem)),
            (401, _) => new UnauthorizedException(status, code, title, detail, problem, retryAfter),
            (403, _) => new ForbiddenException(status, code, title, detail, problem, retryAfter),
            _ => new PingvasApiException(status, code, title, detail, problem, retryAfter),
        };
    }

    /// <summary><c>Retry-After</c> as delta-seconds or an HTTP date (RFC 9110), never negative.</summary>
    public static TimeSpan? RetryAfter(HttpResponseHeaders headers, DateTimeOffset now)
    {
        if (headers.RetryAfter is not { } value)
        {
            return null;
        }

        var wait = value.Delta ?? (value.Date is { } date ? date - now : null);
        return wait is { } w && w < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }

    /// <summary>The <c>RateLimit-*</c> headers, or null when the answer has none.</summary>
    public static RateLimitInfo? RateLimit(HttpResponseMessage response, DateTimeOffset now)
    {
        var limit = Header(response, "RateLimit-Limit");
        var remaining = Header(response, "RateLimit-Remaining");
        var reset = Header(response, "RateLimit-Reset");
        return limit is null && remaining is null && reset is null
            ? null
            : new RateLimitInfo(limit, remaining, reset is { } r ? TimeSpan.FromSeconds(r) : null, now);
    }

    private static long? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        if (text.Length == 0 || response.Content.Headers.ContentType?.MediaType is not ("application/problem+json" or "application/json"))
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return default; // Not JSON after all (a proxy's page): the status still says what happened.
        }
    }

    private static string? Text(JsonElement problem, string name) =>
        problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static int? Int(JsonElement problem, string name) =>
        problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : null;

    private static DateTimeOffset? ResetAt(JsonElement problem) =>
        Text(problem, "resetAt") is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;

    private static Dictionary<string, string[]> Errors(JsonElement problem)
    {
        var errors = new Dictionary<string, string[]>();
        if (problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("errors", out var map) && map.ValueKind == JsonValueKind.Object)
        {
            foreach (var field in map.EnumerateObject())
            {
                errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                    ? field.Value.EnumerateArray().Select(m => m.GetString() ?? "").ToArray()
                    : [field.Value.ToString()];
            }
        }

        return errors;
    }
}
