using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Credits;
using Pingvas.Server.Data;
using Pingvas.Server.Hosting;
using Pingvas.Server.Realtime;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.Accounts;

public sealed record RegisterRequest(string? Email, [property: AnyText] string? Password, string? Name);

public sealed record LoginRequest(string? Email, [property: AnyText] string? Password);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record LoginTotpRequest(string? ChallengeToken, string? Code, string? RecoveryCode);

public sealed record AuthResponse(string AccessToken, string RefreshToken, int ExpiresIn, MeResponse User);

public sealed record RefreshResponse(string AccessToken, string RefreshToken, int ExpiresIn);

public static class AuthEndpoints
{
    private static readonly User DummyUser = new() { Email = "", Name = "", PasswordHash = "", PlanId = "free" };
    private static readonly Lazy<string> DummyHash = new(() => new PasswordHasher<User>().HashPassword(DummyUser, Guid.NewGuid().ToString()));

    public static RouteGroupBuilder MapAuth(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/auth").WithTags("Auth").RequireRateLimiting(RateLimits.Auth)
            .ProblemCodes(401, "invalid_credentials", "invalid_challenge", "invalid_code", "invalid_refresh_token", "account_suspended", "totp_required")
            .ProblemCodes(403, "account_suspended", "api_key_not_allowed").ProblemCodes(409, "email_taken");
        group.MapPost("/register", Register);
        group.MapPost("/login", Login);
        group.MapPost("/refresh", Refresh);
        group.MapPost("/logout", Logout);
        group.MapPost("/login/totp", LoginTotp);
        group.MapPost("/logout-all", LogoutAll).RequireAuthorization();
        return api;
    }

    private static async Task<Results<Created<AuthResponse>, ProblemHttpResult>> Register(
        RegisterRequest request, PingvasDb db, DatabaseTenant tenant, IPasswordHasher<User> hasher, PlanPeriods periods, TokenService tokens, MeService me, AccountMail mail,
        HttpContext http, TimeProvider time, CancellationToken ct)
    {
        var errors = AccountRules.CheckRegistration(request.Email, request.Password, request.Name);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var email = AccountRules.NormalizeEmail(request.Email);
        var user = new User
        {
            Id = Ids.New(),
            Email = email,
            Name = request.Name!.Trim(),
            PasswordHash = "",
            PlanId = "free",
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        // With email on the address is verified by the welcome email's link (the Free credits wait
        // for it); with no SMTP server there is no way to verify, so it counts as verified now.
        user.EmailVerifiedAt = mail.EmailOn ? null : user.CreatedAt;
        user.PasswordHash = hasher.HashPassword(user, request.Password!);

        await using (var tx = await db.BeginWriteAsync(ct))
        {
            if (await db.Users.AnyAsync(u => u.Email == email, ct))
            {
                return Problems.Conflict("email_taken", "An account with this email already exists.");
            }

            db.Users.Add(user);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (EmailTaken.Is(ex))
            {
                // Lost a race with a concurrent registration of the same email (unique index). Any
                // other failure, an outage above all, goes to the global handler (503 unavailable).
                return Problems.Conflict("email_taken", "An account with this email already exists.");
            }

            // From here the request acts as the new user: its credits are its own rows (row-level security).
            tenant.Set(user.Id);
            await periods.StartAsync(user, ct);
            await mail.OnRegisteredAsync(user, EmailVerificationEndpoints.LanguageHint(http), ct);
            await tx.CommitAsync(ct);
        }

        mail.Sent();

        var pair = await tokens.IssueAsync(user, null, ct);
        var profile = await me.GetAsync(user.Id, ct);
        return TypedResults.Created("/api/v1/me", new AuthResponse(pair.AccessToken, pair.RefreshToken, pair.ExpiresIn, profile!));
    }

    private static async Task<Results<Ok<AuthResponse>, ProblemHttpResult>> Login(
        LoginRequest request, PingvasDb db, IPasswordHasher<User> hasher, LoginThrottles throttles, TokenService tokens, MeService me, TotpChallenge challenges,
        HttpContext http, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["credentials"] = ["Email and password are required."] });
        }

        var email = AccountRules.NormalizeEmail(request.Email);
        var pair = throttles.PairId(email, http.ClientKey());

        // A throttled pair is refused before the account is even looked up, so an existing and an
        // unknown email get the same answer for the same work: no lookup, no hash. An attempt that
        // goes ahead is counted before its password is checked (CountAttemptAsync says why).
        if ((await throttles.RetryAfterAsync(pair, ct) ?? await throttles.CountAttemptAsync(pair, ct)) is { } wait)
        {
            return Throttled(http, wait);
        }

        // An unknown email still costs one hash verification, so timing does not tell which emails exist.
        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == email, ct);
        var verdict = hasher.VerifyHashedPassword(user ?? DummyUser, user?.PasswordHash ?? DummyHash.Value, request.Password);
        if (user is null || verdict == PasswordVerificationResult.Failed)
        {
            // One answer for an unknown email and a wrong password: no account enumeration.
            return Problems.Create(StatusCodes.Status401Unauthorized, "invalid_credentials", "Wrong email or password.");
        }

        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = hasher.HashPassword(user, request.Password);
            await db.SaveChangesAsync(ct);
        }

        await throttles.ClearAsync(pair, ct);

        // Only a caller who knows the password learns that the account is suspended.
        return await SignInAnswer.ForAsync(user, tokens, me, challenges, ct);
    }

    /// <summary>Second step of a TOTP sign-in: a code (or a recovery code) for the challenge's account. Throttled like login, per account and address.</summary>
    private static async Task<Results<Ok<AuthResponse>, ProblemHttpResult>> LoginTotp(
        LoginTotpRequest request, PingvasDb db, DatabaseTenant tenant, TotpChallenge challenges, TotpService totp, LoginThrottles throttles, TokenService tokens,
        MeService me, HttpContext http, CancellationToken ct)
    {
        if (await challenges.ReadAsync(request.ChallengeToken) is not { } userId)
        {
            return Problems.Create(StatusCodes.Status401Unauthorized, "invalid_challenge", "The sign-in challenge is invalid or expired.", "Sign in with your password again.");
        }

        if (string.IsNullOrWhiteSpace(request.Code) == string.IsNullOrWhiteSpace(request.RecoveryCode))
        {
            return Problems.Validation("code", "Send either a 6-digit code or a recovery code.");
        }

        var pair = throttles.PairId($"totp:{userId:N}", http.ClientKey());
        if ((await throttles.RetryAfterAsync(pair, ct) ?? await throttles.CountAttemptAsync(pair, ct)) is { } wait)
        {
            return Throttled(http, wait);
        }

        tenant.Set(userId);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
        {
            return Problems.Create(StatusCodes.Status401Unauthorized, "invalid_challenge", "The sign-in challenge is invalid or expired.", "Sign in with your password again.");
        }

        var accepted = string.IsNullOrWhiteSpace(request.Code)
            ? await totp.AcceptRecoveryCodeAsync(user, request.RecoveryCode, ct)
            : await totp.AcceptCodeAsync(user, request.Code, ct);
        if (!accepted)
        {
            return Problems.Create(StatusCodes.Status401Unauthorized, "invalid_code", "The code is wrong or was already used.");
        }

        await throttles.ClearAsync(pair, ct);
        if (user.Suspended)
        {
            return AccountGate.Suspended(StatusCodes.Status403Forbidden);
        }

        var issued = await tokens.IssueAsync(user, null, ct, mfa: true);
        var profile = await me.GetAsync(user.Id, ct);
        return TypedResults.Ok(new AuthResponse(issued.AccessToken, issued.RefreshToken, issued.ExpiresIn, profile!));
    }

    /// <summary>Sign out everywhere: every refresh token revoked, every access token refused from its next request, every hub connection closed.</summary>
    private static async Task<NoContent> LogoutAll(CurrentUser current, PingvasDb db, TokenService tokens, IHubSignOut hubs, CancellationToken ct)
    {
        await using (var tx = await db.BeginWriteAsync(ct))
        {
            await tokens.SignOutEverywhereAsync(current.Id, ct);
            await tx.CommitAsync(ct);
        }

        // After the commit, so a closed client's reconnect is refused: open hub connections end now.
        await hubs.SignOutAsync(current.Id, CancellationToken.None);
        return TypedResults.NoContent();
    }

    /// <summary>The same answer whether or not the email has an account; the wait is in Retry-After only.</summary>
    private static ProblemHttpResult Throttled(HttpContext http, TimeSpan wait)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.RateLimited("Too many sign-in attempts for this email from your address. Try again after the time in Retry-After.");
    }

    private static async Task<Results<Ok<RefreshResponse>, ProblemHttpResult>> Refresh(RefreshRequest request, TokenService tokens, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.RefreshToken))
        {
            return Problems.Validation("refreshToken", "A refresh token is required.");
        }

        var outcome = await tokens.RotateAsync(request.RefreshToken, ct);
        return outcome switch
        {
            { Pair: { } pair } => TypedResults.Ok(new RefreshResponse(pair.AccessToken, pair.RefreshToken, pair.ExpiresIn)),
            { Suspended: true } => AccountGate.Suspended(),
            _ => Problems.Create(StatusCodes.Status401Unauthorized, "invalid_refresh_token", "The refresh token is invalid, expired or already used."),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Logout(RefreshRequest request, TokenService tokens, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.RefreshToken))
        {
            return Problems.Validation("refreshToken", "A refresh token is required.");
        }

        await tokens.RevokeAsync(request.RefreshToken, ct);
        return TypedResults.NoContent();
    }
}
