using Microsoft.AspNetCore.Http.HttpResults;

using Pingvas.Server.Email;
using Pingvas.Server.Hosting;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.Accounts;

public sealed record VerifyEmailRequest(string? Token);

public sealed record VerifyEmailResponse(string Email, bool Verified);

public sealed record ChangeEmailRequest(string? Email, [property: AnyText] string? Password);

/// <summary>Verifying the address (sign-up's or a new one's), sending the link again, and changing the email.</summary>
public static class EmailVerificationEndpoints
{
    public static RouteGroupBuilder MapEmailVerification(this RouteGroupBuilder api)
    {
        api.MapPost("/auth/verify-email", Verify).WithTags("Auth").RequireRateLimiting(RateLimits.Auth).ProblemCodes(400, "invalid_token").ProblemCodes(409, "email_taken");
        var me = api.MapGroup("/me").WithTags("Account").RequireAuthorization().ProblemCodes(403, "wrong_password").ProblemCodes(409, "already_verified", "email_taken");
        me.MapPost("/verify-email/resend", Resend).RequireRateLimiting(RateLimits.Auth);
        me.MapPost("/email", ChangeEmail).RequireRateLimiting(RateLimits.Auth);
        return api;
    }

    /// <summary>The language hint of an anonymous or signed-in request, for accounts that never chose one.</summary>
    public static string? LanguageHint(HttpContext http) => EmailOutboxHandler.HintFrom(http.Request.Headers.AcceptLanguage.ToString());

    private static async Task<Results<Ok<VerifyEmailResponse>, ProblemHttpResult>> Verify(VerifyEmailRequest request, AccountMail mail, CancellationToken ct)
    {
        var (outcome, email) = await mail.VerifyAsync(request.Token, ct);
        return outcome switch
        {
            LinkOutcome.Done => TypedResults.Ok(new VerifyEmailResponse(email!, true)),
            LinkOutcome.EmailTaken => Problems.Conflict("email_taken", "Another account uses this email now."),
            _ => InvalidToken(),
        };
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> Resend(CurrentUser current, AccountMail mail, HttpContext http, CancellationToken ct)
    {
        var (verified, wait) = await mail.ResendAsync(current.Id, LanguageHint(http), ct);
        if (verified)
        {
            return Problems.Conflict("already_verified", "Your email is already verified.");
        }

        if (wait is { } retry)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problems.RateLimited("A link was sent a moment ago. Try again after the time in Retry-After.");
        }

        return TypedResults.Accepted((string?)null);
    }

    /// <summary>
    /// Needs the current password (throttled like sign-in; a wrong one is 403 wrong_password as on
    /// POST /me/password). The account moves to the new address when the link mailed there is used.
    /// </summary>
    private static async Task<Results<Accepted, ProblemHttpResult>> ChangeEmail(
        ChangeEmailRequest request, CurrentUser current, Data.PingvasDb db, Microsoft.AspNetCore.Identity.IPasswordHasher<User> hasher,
        LoginThrottles throttles, AccountMail mail, HttpContext http, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var email = AccountRules.NormalizeEmail(request.Email);
        if (!AccountRules.IsEmail(email))
        {
            errors["email"] = ["Enter a valid email address."];
        }

        if (string.IsNullOrEmpty(request.Password))
        {
            errors["password"] = ["The current password is required."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var user = await db.Users.FindAsync([current.Id], ct) ?? throw new InvalidOperationException("The signed-in user is gone.");
        var pair = throttles.PairId(user.Email, http.ClientKey());
        if ((await throttles.RetryAfterAsync(pair, ct) ?? await throttles.CountAttemptAsync(pair, ct)) is { } wait)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problems.RateLimited("Too many wrong passwords. Try again after the time in Retry-After.");
        }

        if (hasher.VerifyHashedPassword(user, user.PasswordHash, request.Password!) == Microsoft.AspNetCore.Identity.PasswordVerificationResult.Failed)
        {
            return Problems.Create(StatusCodes.Status403Forbidden, "wrong_password", "The current password is wrong.");
        }

        await throttles.ClearAsync(pair, ct);
        if (email == user.Email)
        {
            return Problems.Validation("email", "This is already your email.");
        }

        return await mail.ChangeEmailAsync(user, email, LanguageHint(http), ct)
            ? TypedResults.Accepted((string?)null)
            : Problems.Conflict("email_taken", "An account with this email already exists.");
    }

    public static ProblemHttpResult InvalidToken() =>
        Problems.Create(StatusCodes.Status400BadRequest, "invalid_token", "The link is invalid, expired or already used.", "Ask for a new link.");
}
