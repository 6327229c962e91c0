using System.Text.Json;

namespace Pingvas.Sdk;

/// <summary>
/// The API refused a request: an RFC 9457 problem. Branch on <see cref="Code"/> (stable, e.g.
/// <c>insufficient_credits</c>); <see cref="Title"/> and <see cref="Detail"/> are for people.
/// </summary>
public class PingvasApiException : Exception
{
    public PingvasApiException(int status, string? code, string? title, string? detail, JsonElement problem, TimeSpan? retryAfter)
        : base(Describe(status, code, title, detail))
    {
        Status = status;
        Code = code;
        Title = title;
        Detail = detail;
        Problem = problem;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status.</summary>
    public int Status { get; }

    /// <summary>The problem's <c>code</c>; null when the answer was not a problem (a proxy's error page).</summary>
    public string? Code { get; }

    public string? Title { get; }

    public string? Detail { get; }

    /// <summary>The whole problem body (undefined when there was none): extensions such as <c>needed</c>, <c>field</c>, <c>requiredScope</c>.</summary>
    public JsonElement Problem { get; }

    /// <summary>The answer's <c>Retry-After</c>, when it had one.</summary>
    public TimeSpan? RetryAfter { get; }

    private static string Describe(int status, string? code, string? title, string? detail) =>
        $"{status} {code ?? "error"}: {detail ?? title ?? "the request was refused"}";

    /// <summary>A string extension of the problem, e.g. <c>resetAt</c>.</summary>
    public string? Extension(string name) =>
        Problem.ValueKind == JsonValueKind.Object && Problem.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}

/// <summary>429 <c>api_quota_exceeded</c>: the plan's API calls for the month are spent until <see cref="ResetAt"/>.</summary>
public sealed class QuotaExceededException(int status, string? code, string? title, string? detail, JsonElement problem, TimeSpan? retryAfter, DateTimeOffset? resetAt, int? limit)
    : PingvasApiException(status, code, title, detail, problem, retryAfter)
{
    public DateTimeOffset? ResetAt { get; } = resetAt;

    public int? Limit { get; } = limit;
}

/// <summary>429 other than the monthly quota (<c>rate_limited</c>, <c>queue_limit</c>): try again after <see cref="PingvasApiException.RetryAfter"/>.</summary>
public sealed class RateLimitedException(int status, string? code, string? title, string? detail, JsonElement problem, TimeSpan? retryAfter)
    : PingvasApiException(status, code, title, detail, problem, retryAfter);

/// <summary>404: missing, or another user's (the API answers both the same).</summary>
public sealed class NotFoundException(int status, string? code, string? title, string? detail, JsonElement problem, TimeSpan? retryAfter)
    : PingvasApiException(status, code, title, detail, problem, retryAfter);

/// <summary>400 <c>validation_failed</c>: <see cref="Errors"/> maps each field to its messages.</summary>
public sealed class ValidationFailedException(int status, string? code, string? title, string? detail, JsonElement problem, TimeSpan? retryAfter, IReadOnlyDictionary<string, string[]> errors)
    : PingvasApiException(status, code, title, detail, problem, retryAfter)
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>401: no key, or an unknown, revoked or expired one (<c>invalid_api_key</c>).</summary>
public sealed class UnauthorizedException(int status, string? code, string? title, string? detail, JsonElement problem, TimeSpan? retryAfter)
    : PingvasApiException(status, code, title, detail, problem, retryAfter);

/// <summary>403: the key lacks a scope (<c>api_key_scope_missing</c>), the plan forbids it (<c>plan_forbids_api</c>, …).</summary>
public sealed class ForbiddenException(int status, string? code, string? title, string? detail, JsonElement problem, TimeSpan? retryAfter)
    : PingvasApiException(status, code, title, detail, problem, retryAfter);
