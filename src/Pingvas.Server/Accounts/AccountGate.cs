using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Hosting;
using Pingvas.Server.Realtime;

namespace Pingvas.Server.Accounts;

public enum AccountAccess
{
    /// <summary>No such account.</summary>
    Missing,

    /// <summary>An admin suspended the account.</summary>
    Suspended,

    /// <summary>The token predates the account's current token version (sign out everywhere, password change, suspension).</summary>
    SignedOut,

    Allowed,
}

/// <summary>
/// Decides whether a well-signed access token may still act, from the account's row. The same
/// single query that already checked the account exists (and, on PostgreSQL, keys the session
/// for row-level security) reads the suspension and token version: no extra round trip.
/// </summary>
public static class AccountGate
{
    private const string RefusalItem = "pingvas.account_refusal";

    public static async Task<AccountAccess> CheckAsync(HttpContext http, Guid userId, int tokenVersion)
    {
        var db = http.RequestServices.GetRequiredService<PingvasDb>();
        (bool Suspended, int TokenVersion)? state;
        if (db.Database.IsNpgsql() && !http.Request.Path.StartsWithSegments(ProgressHub.Path))
        {
            state = await http.RequestServices.GetRequiredService<TenantSessionInterceptor>().KeyToAccountAsync(db, userId, tokenVersion, http.RequestAborted);
        }
        else
        {
            // A hub connection lives for hours and must not hold a pooled connection: a plain read.
            var row = await db.Users.AsNoTracking().Where(u => u.Id == userId)
                .Select(u => new { u.Suspended, u.TokenVersion }).SingleOrDefaultAsync(http.RequestAborted);
            state = row is null ? null : (row.Suspended, row.TokenVersion);
        }

        var access = state switch
        {
            null => AccountAccess.Missing,
            { Suspended: true } => AccountAccess.Suspended,
            { TokenVersion: var current } when current != tokenVersion => AccountAccess.SignedOut,
            _ => AccountAccess.Allowed,
        };
        if (access == AccountAccess.Suspended)
        {
            http.Items[RefusalItem] = access;
        }

        return access;
    }

    /// <summary>The 401 for a token refused because its account is suspended; null for any other refusal.</summary>
    public static IResult? Refusal(HttpContext http) =>
        http.Items.TryGetValue(RefusalItem, out var value) && value is AccountAccess.Suspended ? Suspended() : null;

    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Suspended(int status = StatusCodes.Status401Unauthorized) =>
        Problems.Create(status, "account_suspended", "This account is suspended.", "An administrator suspended this account. Contact support.");
}
