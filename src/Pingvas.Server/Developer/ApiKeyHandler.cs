using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;

using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Accounts;
using Pingvas.Server.Catalog;
using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Developer;

/// <summary>
/// Authenticates <c>Authorization: Bearer pv_…</c> or <c>X-API-Key: pv_…</c>. The principal carries
/// the owner's <c>sub</c> (so <see cref="CurrentUser"/> and the row-level security key are as for a
/// token), <c>auth=api_key</c>, the key id and its scopes; the owner's account gate applies as for tokens.
/// </summary>
public sealed class ApiKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    PingvasDb db, DatabaseTenant tenant, CatalogCache catalogs, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-API-Key";

    /// <summary>lastUsedAt / lastUsedIp are written at most this often per key.</summary>
    public static readonly TimeSpan LastUsedEvery = TimeSpan.FromMinutes(1);

    /// <summary>Whether the request presents an API key (and so belongs to this handler rather than JWT).</summary>
    public static bool Presents(HttpRequest request) =>
        request.Headers.ContainsKey(HeaderName)
        || (request.Headers.Authorization.ToString() is var auth && auth.StartsWith("Bearer pv_", StringComparison.Ordinal));

    private static string? KeyOf(HttpRequest request) =>
        request.Headers.TryGetValue(HeaderName, out var header) ? header.ToString().Trim()
        : request.Headers.Authorization.ToString() is var auth && auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth["Bearer ".Length..].Trim()
        : null;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Presents(Request))
        {
            return AuthenticateResult.NoResult();
        }

        var key = KeyOf(Request);
        if (ApiKeyFormat.LookupIdOf(key) is not { } lookupId)
        {
            return AuthenticateResult.Fail("Malformed API key.");
        }

        var ct = Context.RequestAborted;
        // The key names its owner, so it is found before anyone is signed in: a read across users, on purpose.
        ApiKey? row;
        (int TokenVersion, string PlanId, DateTime? DeletedAt)? owner;
        using (tenant.AsSystem())
        {
            row = await db.Set<ApiKey>().AsNoTracking().SingleOrDefaultAsync(k => k.LookupId == lookupId, ct);
            owner = row is null ? null : await db.Users.AsNoTracking().Where(u => u.Id == row.UserId)
                .Select(u => new ValueTuple<int, string, DateTime?>(u.TokenVersion, u.PlanId, u.DeletedAt)).SingleOrDefaultAsync(ct);
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (row is null || owner is null || !ApiKeyFormat.Matches(key!, row.KeyHash) || row.RevokedAt is not null || row.ExpiresAt <= now || owner.Value.DeletedAt is not null)
        {
            return AuthenticateResult.Fail("Unknown, revoked or expired API key.");
        }

        // The same gate as a token's (suspension), keying the session to the owner on PostgreSQL.
        var access = await AccountGate.CheckAsync(Context, row.UserId, owner.Value.TokenVersion);
        if (access != AccountAccess.Allowed)
        {
            return AuthenticateResult.Fail($"The key's account may not act ({access}).");
        }

        var catalog = await catalogs.GetAsync(db, ct);
        if (!catalog.Plans.ContainsKey(owner.Value.PlanId))
        {
            catalog = await catalogs.GetAsync(db, ct, reload: true);
        }

        var scopes = row.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var limit = catalog.Plans.TryGetValue(owner.Value.PlanId, out var plan) ? plan.ApiCallsPerMonth : 0;
        new ApiKeyRequest(row.Id, row.UserId, scopes, limit).AttachTo(Context);
        await TouchAsync(row, now, ct);

        var claims = new List<Claim>
        {
            new("sub", row.UserId.ToString()),
            new(SessionClaims.Version, owner.Value.TokenVersion.ToString(CultureInfo.InvariantCulture)),
            new(ApiKeyRequest.AuthClaim, ApiKeyRequest.AuthMethod),
            new(ApiKeyRequest.KeyIdClaim, row.Id.ToString()),
        };
        if (row.ExpiresAt is { } expires)
        {
            // A token's claim, so what ends with a token's expiry (an event stream) ends with the key's.
            claims.Add(new("exp", new DateTimeOffset(DateTime.SpecifyKind(expires, DateTimeKind.Utc)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        }

        claims.AddRange(scopes.Select(s => new Claim(ApiKeyRequest.ScopeClaim, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, "sub", "role"));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <summary>Writes lastUsedAt / lastUsedIp when the stored time is a minute old or more: not a write per request.</summary>
    private async Task TouchAsync(ApiKey row, DateTime now, CancellationToken ct)
    {
        if (row.LastUsedAt is { } last && now - last < LastUsedEvery)
        {
            return;
        }

        var cutoff = now - LastUsedEvery;
        var ip = Context.Connection.RemoteIpAddress?.ToString();
        // Conditional, so concurrent requests of one key write it once.
        await db.Set<ApiKey>().Where(k => k.Id == row.Id && (k.LastUsedAt == null || k.LastUsedAt <= cutoff))
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now).SetProperty(k => k.LastUsedIp, ip), ct);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (AccountGate.Refusal(Context) is { } refusal)
        {
            await refusal.ExecuteAsync(Context);
            return;
        }

        await Problems.Create(StatusCodes.Status401Unauthorized, "invalid_api_key", "Invalid API key.",
            "The API key is unknown, revoked or expired.").ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        await ApiKeyProblems.NotAllowed().ExecuteAsync(Context);
}
