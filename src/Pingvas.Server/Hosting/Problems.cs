using Microsoft.AspNetCore.Http.HttpResults;

namespace Pingvas.Server.Hosting;

/// <summary>
/// RFC 9457 problem responses with a stable machine-readable <c>code</c>. Clients branch on
/// <c>code</c>; <c>title</c> and <c>detail</c> are for people.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult Create(int status, string code, string title, string? detail = null, IDictionary<string, object?>? extensions = null)
    {
        var ext = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>()) { ["code"] = code };
        return TypedResults.Problem(detail: detail, statusCode: status, title: title, type: $"https://pingvas.studio/problems/{code.Replace('_', '-')}", extensions: ext);
    }

    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors) =>
        Create(StatusCodes.Status400BadRequest, "validation_failed", "The request is not valid.", "See 'errors' for the fields to fix.",
            new Dictionary<string, object?> { ["errors"] = errors });

    public static ProblemHttpResult Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult NotFound(string what = "resource") =>
        Create(StatusCodes.Status404NotFound, "not_found", "Not found.", $"No such {what}.");

    public static ProblemHttpResult Conflict(string code, string detail) =>
        Create(StatusCodes.Status409Conflict, code, "Conflict.", detail);

    public static ProblemHttpResult InsufficientCredits(int needed, int balance) =>
        Create(StatusCodes.Status402PaymentRequired, "insufficient_credits", "Not enough credits.",
            $"This generation needs {needed} credits; {balance} are available.",
            new Dictionary<string, object?> { ["needed"] = needed, ["balance"] = balance });

    public static ProblemHttpResult Forbidden(string code, string detail) =>
        Create(StatusCodes.Status403Forbidden, code, "Not allowed by your plan.", detail);

    public static ProblemHttpResult RateLimited(string detail) =>
        Create(StatusCodes.Status429TooManyRequests, "rate_limited", "Too many requests.", detail);
}
