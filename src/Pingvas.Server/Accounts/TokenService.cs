using System.Security.Claims;
using System.Security.Cryptography;

using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Accounts;

public sealed record TokenPair(string AccessToken, string RefreshToken, int ExpiresIn);

/// <summary>A refresh: the new pair, or null with whether the account is suspended.</summary>
public sealed record RefreshOutcome(TokenPair? Pair, bool Suspended);

/// <summary>Issues 15-minute JWT access tokens and rotating, revocable refresh tokens (stored hashed).</summary>
public sealed class TokenService(PingvasDb db, DatabaseTenant tenant, SigningKeys keys, TimeProvider time)
{
    public const string Issuer = "pingvas";
    public const string Audience = "pingvas-api";
    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan RefreshTokenLifetime = TimeSpan.FromDays(30);

    /// <summary>The key tokens are signed with; its id goes into the token's <c>kid</c> header.</summary>
    public static SymmetricSecurityKey SecurityKey(SigningKeys keys) => KeyOf(keys.Current);

    /// <summary>Every key a token may be signed with: after a rotation, tokens of the previous keys still verify.</summary>
    public static List<SymmetricSecurityKey> ValidationKeys(SigningKeys keys) => keys.Ring.Select(KeyOf).ToList();

    private static SymmetricSecurityKey KeyOf(SigningKey key) => new(key.TokenKey) { KeyId = key.Id };

    /// <param name="mfa">The session was signed in with a TOTP code (kept by the family's rotations).</param>
    /// <param name="signedInAt">When the session's family signed in (a rotation keeps it); a new family signs in now.</param>
    public async Task<TokenPair> IssueAsync(User user, Guid? familyId, CancellationToken ct, bool mfa = false, DateTime? signedInAt = null)
    {
        // Signing a user in acts as that user from here on (row-level security).
        tenant.Set(user.Id);
        var now = time.GetUtcNow().UtcDateTime;
        var authTime = familyId is null ? now : signedInAt ?? now;
        var refresh = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        db.RefreshTokens.Add(new RefreshToken
        {
            Id = Ids.New(),
            UserId = user.Id,
            FamilyId = familyId ?? Ids.New(),
            TokenHash = Hash(refresh),
            CreatedAt = now,
            ExpiresAt = now + RefreshTokenLifetime,
            Mfa = mfa,
        });
        await db.SaveChangesAsync(ct);
        // Access tokens carry wall-clock times: the JWT validator checks them against the system clock.
        return new TokenPair(CreateAccessToken(user, mfa, DateTime.UtcNow, authTime), refresh, (int)AccessTokenLifetime.TotalSeconds);
    }

    /// <summary>
    /// Swaps a refresh token for a new pair. A token is single-use: presenting a revoked one means
    /// it leaked, so the whole family is revoked and the caller must sign in again.
    /// </summary>
    public async Task<RefreshOutcome> RotateAsync(string refreshToken, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (await FindAsync(refreshToken, ct) is not { } token || token.ExpiresAt <= now)
        {
            return new RefreshOutcome(null, false);
        }

        // Revoke atomically: of two concurrent uses of the same token only one wins. The winner
        // revokes and issues the successor in one write transaction, so a loser's family revocation
        // (which waits for that write) also revokes the successor.
        await using var tx = await db.BeginWriteAsync(ct);
        var revoked = await db.RefreshTokens
            .Where(t => t.Id == token.Id && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
        if (revoked == 0)
        {
            await RevokeFamilyAsync(token.FamilyId, ct);
            await tx.CommitAsync(ct);
            return new RefreshOutcome(null, false);
        }

        var user = await db.Users.SingleAsync(u => u.Id == token.UserId, ct);
        if (user.Suspended)
        {
            // Suspension revokes every refresh token; this guards a token rotated in the same instant.
            await RevokeFamilyAsync(token.FamilyId, ct);
            await tx.CommitAsync(ct);
            return new RefreshOutcome(null, true);
        }

        // The family's first token is its sign-in (a family older than the purge's horizon is long past any freshness check).
        var signedInAt = await db.RefreshTokens.Where(t => t.FamilyId == token.FamilyId).MinAsync(t => t.CreatedAt, ct);
        var pair = await IssueAsync(user, token.FamilyId, ct, token.Mfa, signedInAt);
        await tx.CommitAsync(ct);
        return new RefreshOutcome(pair, false);
    }

    /// <summary>
    /// Signs the account out everywhere, inside the caller's write transaction: every refresh
    /// token is revoked and the token version raised, so every access token issued so far is
    /// refused by its next request. Returns the new version.
    /// </summary>
    public async Task<int> SignOutEverywhereAsync(Guid userId, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await db.RefreshTokens.Where(t => t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.TokenVersion, u => u.TokenVersion + 1), ct);
        return await db.Users.Where(u => u.Id == userId).Select(u => u.TokenVersion).SingleAsync(ct);
    }

    public async Task RevokeFamilyAsync(Guid familyId, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await db.RefreshTokens
            .Where(t => t.FamilyId == familyId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
    }

    public async Task<bool> RevokeAsync(string refreshToken, CancellationToken ct)
    {
        if (await FindAsync(refreshToken, ct) is not { } token)
        {
            return false;
        }

        await RevokeFamilyAsync(token.FamilyId, ct);
        return true;
    }

    /// <summary>
    /// The token by its hash. Nobody is signed in yet, so the lookup reads across users (system
    /// context); once found, the request acts as the token's user.
    /// </summary>
    private async Task<RefreshToken?> FindAsync(string refreshToken, CancellationToken ct)
    {
        var hash = Hash(refreshToken);
        RefreshToken? token;
        using (tenant.AsSystem())
        {
            token = await db.RefreshTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, ct);
        }

        if (token is not null)
        {
            tenant.Set(token.UserId);
        }

        return token;
    }

    private string CreateAccessToken(User user, bool mfa, DateTime now, DateTime authTime)
    {
        var claims = new List<Claim>
        {
            new("sub", user.Id.ToString()),
            new("role", user.Role),
            new(SessionClaims.Version, user.TokenVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(SessionClaims.AuthTime, new DateTimeOffset(authTime).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer64),
        };
        if (mfa)
        {
            claims.Add(new Claim(SessionClaims.Method, SessionClaims.Totp));
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + AccessTokenLifetime,
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = new SigningCredentials(SecurityKey(keys), SecurityAlgorithms.HmacSha256),
        });
    }

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
}
