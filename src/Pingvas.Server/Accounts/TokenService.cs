using System.Security.Claims;
using System.Security.Cryptography;

using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Accounts;

public sealed record TokenPair(string AccessToken, string RefreshToken, int ExpiresIn);

/// <summary>Issues 15-minute JWT access tokens and rotating, revocable refresh tokens (stored hashed).</summary>
public sealed class TokenService(PingvasDb db, DatabaseTenant tenant, SigningKeys keys, TimeProvider time)
{
    public const string Issuer = "pingvas";
    public const string Audience = "pingvas-api";
    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan RefreshTokenLifetime = TimeSpan.FromDays(30);

    public static SymmetricSecurityKey SecurityKey(SigningKeys keys) => new(keys.TokenKey);

    public async Task<TokenPair> IssueAsync(User user, Guid? familyId, CancellationToken ct)
    {
        // Signing a user in acts as that user from here on (row-level security).
        tenant.Set(user.Id);
        var now = time.GetUtcNow().UtcDateTime;
        var refresh = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        db.RefreshTokens.Add(new RefreshToken
        {
            Id = Ids.New(),
            UserId = user.Id,
            FamilyId = familyId ?? Ids.New(),
            TokenHash = Hash(refresh),
            CreatedAt = now,
            ExpiresAt = now + RefreshTokenLifetime,
        });
        await db.SaveChangesAsync(ct);
        // Access tokens carry wall-clock times: the JWT validator checks them against the system clock.
        return new TokenPair(CreateAccessToken(user, DateTime.UtcNow), refresh, (int)AccessTokenLifetime.TotalSeconds);
    }

    /// <summary>
    /// Swaps a refresh token for a new pair. A token is single-use: presenting a revoked one means
    /// it leaked, so the whole family is revoked and the caller must sign in again.
    /// </summary>
    public async Task<TokenPair?> RotateAsync(string refreshToken, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (await FindAsync(refreshToken, ct) is not { } token || token.ExpiresAt <= now)
        {
            return null;
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
            return null;
        }

        var user = await db.Users.SingleAsync(u => u.Id == token.UserId, ct);
        var pair = await IssueAsync(user, token.FamilyId, ct);
        await tx.CommitAsync(ct);
        return pair;
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

    private string CreateAccessToken(User user, DateTime now) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + AccessTokenLifetime,
            Subject = new ClaimsIdentity([new Claim("sub", user.Id.ToString()), new Claim("role", user.Role)]),
            SigningCredentials = new SigningCredentials(SecurityKey(keys), SecurityAlgorithms.HmacSha256),
        });

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
}
