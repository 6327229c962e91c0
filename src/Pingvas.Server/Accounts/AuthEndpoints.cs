using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Credits;
using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Accounts;

public sealed record RegisterRequest(string? Email, string? Password, string? Name);

public sealed record LoginRequest(string? Email, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record AuthResponse(string AccessToken, string RefreshToken, int ExpiresIn, MeResponse User);

public sealed record RefreshResponse(string AccessToken, string RefreshToken, int ExpiresIn);

public static class AuthEndpoints
{
    private static readonly User DummyUser = new() { Email = "", Name = "", PasswordHash = "", PlanId = "free" };
    private static readonly Lazy<string> DummyHash = new(() => new PasswordHasher<User>().HashPassword(DummyUser, Guid.NewGuid().ToString()));

    public static RouteGroupBuilder MapAuth(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/auth").WithTags("Auth").RequireRateLimiting(RateLimits.Auth);
        group.MapPost("/register", Register);
        group.MapPost("/login", Login);
        group.MapPost("/refresh", Refresh);
        group.MapPost("/logout", Logout);
        return api;
    }

    private static async Task<Results<Created<AuthResponse>, ProblemHttpResult>> Register(
        RegisterRequest request, PingvasDb db, DatabaseTenant tenant, IPasswordHasher<User> hasher, PlanPeriods periods, TokenService tokens, MeService me, TimeProvider time, CancellationToken ct)
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
            catch (DbUpdateException)
            {
                // Lost a race with a concurrent registration of the same email (unique index).
                return Problems.Conflict("email_taken", "An account with this email already exists.");
            }

            // From here the request acts as the new user: its credits are its own rows (row-level security).
            tenant.Set(user.Id);
            await periods.StartAsync(user, ct);
            await tx.CommitAsync(ct);
        }

        var pair = await tokens.IssueAsync(user, null, ct);
        var profile = await me.GetAsync(user.Id, ct);
        return TypedResults.Created("/api/v1/me", new AuthResponse(pair.AccessToken, pair.RefreshToken, pair.ExpiresIn, profile!));
    }

    private static async Task<Results<Ok<AuthResponse>, ProblemHttpResult>> Login(
        LoginRequest request, PingvasDb db, IPasswordHasher<User> hasher, TokenService tokens, MeService me, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["credentials"] = ["Email and password are required."] });
        }

        var now = time.GetUtcNow().UtcDateTime;
        var email = AccountRules.NormalizeEmail(request.Email);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == email, ct);
        if (user?.LockedUntil is { } locked && locked > now)
        {
            http.Response.Headers.RetryAfter = Math.Ceiling((locked - now).TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problems.RateLimited($"Too many failed sign-ins. Try again after {locked:u}.");
        }

        // An unknown email still costs one hash verification, so timing does not tell which emails exist.
        var verdict = hasher.VerifyHashedPassword(user ?? DummyUser, user?.PasswordHash ?? DummyHash.Value, request.Password);
        if (user is null || verdict == PasswordVerificationResult.Failed)
        {
            if (user is not null)
            {
                await RecordFailureAsync(db, user.Id, now, ct);
            }

            // One answer for an unknown email and a wrong password: no account enumeration.
            return Problems.Create(StatusCodes.Status401Unauthorized, "invalid_credentials", "Wrong email or password.");
        }

        await using (var tx = await db.BeginWriteAsync(ct))
        {
            await db.LockUserAsync(user.Id, ct);
            await db.Entry(user).ReloadAsync(ct);
            if (user.LockedUntil is { } lockedMeanwhile && lockedMeanwhile > now)
            {
                // Parallel wrong guesses locked the account while this one was checked: a guess
                // in the same burst must not learn that it was the right one.
                return Problems.RateLimited($"Too many failed sign-ins. Try again after {lockedMeanwhile:u}.");
            }

            if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
            {
                user.PasswordHash = hasher.HashPassword(user, request.Password);
            }

            user.FailedLogins = 0;
            user.LockedUntil = null;
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        var pair = await tokens.IssueAsync(user, null, ct);
        var profile = await me.GetAsync(user.Id, ct);
        return TypedResults.Ok(new AuthResponse(pair.AccessToken, pair.RefreshToken, pair.ExpiresIn, profile!));
    }

    /// <summary>
    /// Counts a failed sign-in with an atomic increment under the user's write lock, so parallel
    /// guesses cannot overwrite each other's count and slip past the lock.
    /// </summary>
    private static async Task RecordFailureAsync(PingvasDb db, Guid userId, DateTime now, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);
        var row = db.Users.Where(u => u.Id == userId);
        await row.ExecuteUpdateAsync(s => s.SetProperty(u => u.FailedLogins, u => u.FailedLogins + 1), ct);
        var failures = await row.Select(u => u.FailedLogins).SingleAsync(ct);
        if (LoginThrottle.LockUntil(failures, now) is { } until)
        {
            await row.ExecuteUpdateAsync(s => s.SetProperty(u => u.LockedUntil, until), ct);
        }

        await tx.CommitAsync(ct);
    }

    private static async Task<Results<Ok<RefreshResponse>, ProblemHttpResult>> Refresh(RefreshRequest request, TokenService tokens, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.RefreshToken))
        {
            return Problems.Validation("refreshToken", "A refresh token is required.");
        }

        var pair = await tokens.RotateAsync(request.RefreshToken, ct);
        return pair is null
            ? Problems.Create(StatusCodes.Status401Unauthorized, "invalid_refresh_token", "The refresh token is invalid, expired or already used.")
            : TypedResults.Ok(new RefreshResponse(pair.AccessToken, pair.RefreshToken, pair.ExpiresIn));
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
