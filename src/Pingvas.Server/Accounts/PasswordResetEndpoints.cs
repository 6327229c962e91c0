using Microsoft.AspNetCore.Http.HttpResults;

using Pingvas.Server.Hosting;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.Accounts;

public sealed record PasswordResetRequest(string? Email);

public sealed record PasswordResetConfirmRequest(string? Token, [property: AnyText] string? Password);

public sealed record PasswordResetResponse(bool Reset);

/// <summary>
/// "Forgot password": a link by email, then a new password with it. Both are rate limited per
/// client address (the auth limit); the request also per address (<see cref="AccountMail.ResetsPerHour"/>).
/// </summary>
public static class PasswordResetEndpoints
{
    public static RouteGroupBuilder MapPasswordReset(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/auth/password-reset").WithTags("Auth").RequireRateLimiting(RateLimits.Auth).ProblemCodes(400, "invalid_token");
        group.MapPost("", Request);
        group.MapPost("/confirm", Confirm);
        return api;
    }

    /// <summary>202 whatever the address: the answer never tells whether it has an account.</summary>
    private static async Task<Accepted> Request(PasswordResetRequest request, AccountMail mail, HttpContext http, CancellationToken ct)
    {
        await mail.RequestResetAsync(request.Email, EmailVerificationEndpoints.LanguageHint(http), ct);
        return TypedResults.Accepted((string?)null);
    }

    private static async Task<Results<Ok<PasswordResetResponse>, ProblemHttpResult>> Confirm(PasswordResetConfirmRequest request, AccountMail mail, CancellationToken ct)
    {
        // The password first: a weak one must not use up the link.
        var errors = new Dictionary<string, string[]>();
        AccountRules.CheckPassword(errors, "password", request.Password);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        return await mail.ResetPasswordAsync(request.Token, request.Password!, ct)
            ? TypedResults.Ok(new PasswordResetResponse(true))
            : EmailVerificationEndpoints.InvalidToken();
    }
}
