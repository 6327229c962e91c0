using System.Security.Cryptography;

using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Sharing;

/// <summary>A user's share links: create, list, read, revoke. Another user's link, image or folder is simply not found.</summary>
public sealed class ShareService(PingvasDb db, IPasswordHasher<User> hasher, IOptions<AppOptions> app, TimeProvider time)
{
    public const int MinPasswordLength = 4;
    public const int MaxPasswordLength = 128;
    public const int MaxViewsLimit = 1_000_000;

    /// <summary>The longest a link may live.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(365);

    /// <summary>A list answers at most this many links, newest first.</summary>
    public const int ListLimit = 1000;

    /// <summary>The hasher's user argument: the default KDF does not read it.</summary>
    internal static readonly User HashUser = new() { Email = "", Name = "", PasswordHash = "", PlanId = "free" };

    public async Task<ShareOutcome> CreateAsync(Guid userId, CreateShareRequest request, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (Validate(request, now) is { } invalid)
        {
            return invalid;
        }

        // The query filter hides trashed images, so a trashed one cannot be shared.
        if (request.ImageId is { } imageId && !await db.Images.AnyAsync(i => i.Id == imageId && i.UserId == userId, ct))
        {
            return new ShareOutcome.ImageNotFound();
        }

        if (request.FolderId is { } folderId && !await db.Folders.AnyAsync(f => f.Id == folderId && f.UserId == userId, ct))
        {
            return new ShareOutcome.FolderNotFound();
        }

        var share = new Share
        {
            Id = Ids.New(),
            UserId = userId,
            Token = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16)),
            ImageId = request.ImageId,
            FolderId = request.FolderId,
            PasswordHash = request.Password is { } password ? hasher.HashPassword(HashUser, password) : null,
            ExpiresAt = request.ExpiresAt,
            MaxViews = request.MaxViews,
            CreatedAt = now,
        };
        db.Shares.Add(share);
        await db.SaveChangesAsync(ct);
        return new ShareOutcome.Created(ToDto(share, now));
    }

    /// <summary>The caller's links, newest first; only one target's when <paramref name="imageId"/> or <paramref name="folderId"/> is given.</summary>
    public async Task<ShareListResponse> ListAsync(Guid userId, Guid? imageId, Guid? folderId, CancellationToken ct)
    {
        var query = db.Shares.AsNoTracking().Where(s => s.UserId == userId);
        if (imageId is { } image)
        {
            query = query.Where(s => s.ImageId == image);
        }

        if (folderId is { } folder)
        {
            query = query.Where(s => s.FolderId == folder);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var rows = await query.OrderByDescending(s => s.Id).Take(ListLimit).ToListAsync(ct);
        return new ShareListResponse(rows.Select(s => ToDto(s, now)).ToList());
    }

    public async Task<ShareDto?> GetAsync(Guid userId, Guid id, CancellationToken ct) =>
        await db.Shares.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id && s.UserId == userId, ct) is { } share
            ? ToDto(share, time.GetUtcNow().UtcDateTime)
            : null;

    /// <summary>Revokes the link now (again: no change); false when it is not the caller's.</summary>
    public async Task<bool> RevokeAsync(Guid userId, Guid id, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var changed = await db.Shares.Where(s => s.Id == id && s.UserId == userId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), ct);
        return changed > 0 || await db.Shares.AnyAsync(s => s.Id == id && s.UserId == userId, ct);
    }

    /// <summary>active, expired, exhausted or revoked, in that order of precedence from the last.</summary>
    public static string Status(Share share, DateTime now) =>
        share.RevokedAt is not null ? "revoked"
        : share.ExpiresAt is { } expires && expires <= now ? "expired"
        : share.MaxViews is { } max && share.Views >= max ? "exhausted"
        : "active";

    private ShareDto ToDto(Share s, DateTime now) =>
        new(s.Id, app.Value.Link($"/s/{s.Token}").ToString(), s.ImageId, s.FolderId, s.PasswordHash is not null, s.ExpiresAt, s.MaxViews, s.Views,
            Status(s, now), s.CreatedAt, s.RevokedAt);

    private static ShareOutcome.Invalid? Validate(CreateShareRequest request, DateTime now)
    {
        if ((request.ImageId is null) == (request.FolderId is null))
        {
            return new("imageId", "Share exactly one thing: an imageId or a folderId.");
        }

        if (request.Password is { Length: < MinPasswordLength or > MaxPasswordLength })
        {
            return new("password", $"A password of {MinPasswordLength} to {MaxPasswordLength} characters, or none.");
        }

        if (request.ExpiresAt is { } expires && (expires <= now || expires > now + MaxLifetime))
        {
            return new("expiresAt", "An expiry in the future, at most a year from now.");
        }

        if (request.MaxViews is < 1 or > MaxViewsLimit)
        {
            return new("maxViews", "A view limit of 1 to 1,000,000.");
        }

        return null;
    }
}
