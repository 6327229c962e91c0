using Microsoft.AspNetCore.Diagnostics;

namespace Pingvas.Server.Hosting;

/// <summary>Every error leaves as problem+json with a stable code; never a stack trace.</summary>
public static class ProblemSetup
{
    private static readonly Dictionary<int, (string Code, string Title)> ByStatus = new()
    {
        [400] = ("bad_request", "The request could not be read."),
        [401] = ("unauthorized", "Sign in first: a valid bearer token is required."),
        [403] = ("forbidden", "Not allowed."),
        [404] = ("not_found", "Not found."),
        [405] = ("method_not_allowed", "Method not allowed."),
        [413] = ("payload_too_large", "The request body is too large."),
        [415] = ("unsupported_media_type", "Send application/json."),
        [429] = ("rate_limited", "Too many requests."),
        [500] = ("internal_error", "Something went wrong on our side."),
        [503] = ("unavailable", "The service is temporarily unavailable."),
    };

    public static IServiceCollection AddPingvasProblems(this IServiceCollection services)
    {
        // Outside Development, minimal APIs answer a body they cannot bind with a bare 400 and no
        // reason; throwing lets the handler below turn it into validation_failed like any bad field.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            var status = ctx.ProblemDetails.Status ?? ctx.HttpContext.Response.StatusCode;
            if (!ctx.ProblemDetails.Extensions.ContainsKey("code") && ByStatus.TryGetValue(status, out var known))
            {
                ctx.ProblemDetails.Extensions["code"] = known.Code;
                ctx.ProblemDetails.Title = known.Title;
            }

            if (ctx.Exception is BadHttpRequestException { StatusCode: StatusCodes.Status400BadRequest } bad)
            {
                // Malformed JSON or a wrong type: a validation problem, not a server fault.
                ctx.ProblemDetails.Status = 400;
                ctx.ProblemDetails.Extensions["code"] = "validation_failed";
                ctx.ProblemDetails.Title = "The request is not valid.";
                ctx.ProblemDetails.Type = "https://pingvas.studio/problems/validation-failed";
                var bodyError = bad.InnerException is System.Text.Json.JsonException ? "The body is not valid JSON for this endpoint."
                    : ctx.HttpContext.Request.ContentLength == 0 ? "A JSON body is required."
                    : null;
                ctx.ProblemDetails.Detail = bodyError ?? bad.Message;
                if (TextFieldFilter.UnreadableTextField(bad) is { } field)
                {
                    // A lone surrogate or invalid UTF-8: the same answer as the text check gives for the field.
                    ctx.ProblemDetails.Detail = "See 'errors' for the fields to fix.";
                    ctx.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [Core.Text.FreeText.Message] };
                }
                else if (bodyError is not null)
                {
                    ctx.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { ["body"] = [bodyError] };
                }
            }

            if (status == StatusCodes.Status503ServiceUnavailable)
            {
                // The database is restarting or unreachable: the request can be retried shortly.
                ctx.HttpContext.Response.Headers.RetryAfter = "5";
            }

            ctx.ProblemDetails.Extensions.Remove("exception");
            ctx.ProblemDetails.Extensions["traceId"] = System.Diagnostics.Activity.Current?.Id ?? ctx.HttpContext.TraceIdentifier;
        });
    }

    public static void UsePingvasProblems(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ex => ex switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                _ when Data.DatabaseOutage.Is(ex) => StatusCodes.Status503ServiceUnavailable,
                OperationCanceledException => 499,
                _ => StatusCodes.Status500InternalServerError,
            },
            // A client's malformed request is its fault, not ours: no error log with a stack trace for it.
            SuppressDiagnosticsCallback = ctx => ctx.Exception is BadHttpRequestException,
        });
        app.UseStatusCodePages();
    }
}
