using Microsoft.AspNetCore.Http.HttpResults;

using Pingvas.Server.Hosting;

namespace Pingvas.Server.Accounts;

/// <summary>
/// What a proven sign-in answers, whatever proved it (a password, a provider's exchange code):
/// 403 for a suspended account, the TOTP challenge for an account with two-step sign-in, else a
/// session. One place, so every way in answers alike.
/// </summary>
public static class SignInAnswer
{
    public static async Task<Results<Ok<AuthResponse>, ProblemHttpResult>> ForAsync(
        User user, TokenService tokens, MeService me, TotpChallenge challenges, CancellationToken ct)
    {
        if (user.Suspended)
        {
            return AccountGate.Suspended(StatusCodes.Status403Forbidden);
        }

        if (user.TotpEnabledAt is not null)
        {
            // Proof of the first factor is not enough: the code goes to /auth/login/totp with this challenge.
            return Problems.Create(StatusCodes.Status401Unauthorized, AdminRole.TotpRequired, "Enter the code from your authenticator app.",
                "Send the challenge token with a 6-digit code or a recovery code to POST /api/v1/auth/login/totp.",
                new Dictionary<string, object?> { ["challengeToken"] = challenges.Create(user), ["expiresIn"] = (int)TotpChallenge.Lifetime.TotalSeconds });
        }

        var issued = await tokens.IssueAsync(user, null, ct);
        var profile = await me.GetAsync(user.Id, ct);
        return TypedResults.Ok(new AuthResponse(issued.AccessToken, issued.RefreshToken, issued.ExpiresIn, profile!));
    }
}
