using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Gallery;
using Pingvas.Server.Hosting;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Sharing;

/// <summary>
/// What a visitor without an account sees of a share link. The link is found by its token in
/// system context (no one is signed in; row-level security would hide it), then every read is
/// keyed to the link's owner, so nothing of another account can leak into the answer.
/// </summary>
public sealed class PublicShareService(
    PingvasDb db, DatabaseTenant tenant, ShareCookies cookies, LoginThrottles throttles, IPasswordHasher<User> hasher, IObjectUrls urls, TimeProvider time)
{
    /// <summary>A folder share shows at most this many images, newest first.</summary>
    public const int FolderImageLimit = 500;

    /// <summary>How long the image URLs in an answer stay valid; the page asks again for fresh ones.</summary>
    public static readonly TimeSpan ImageUrlLifetime = TimeSpan.FromMinutes(15);

    public async Task<PublicShareOutcome> ShowAsync(HttpContext http, string token, CancellationToken ct)
    {
        if (await OpenAsync(http, token, ct) is not var (share, visitor, counted))
        {
            return new PublicShareOutcome.NotFound();
        }

        if (share.PasswordHash is not null && !cookies.IsUnlocked(http, share))
        {
            return new PublicShareOutcome.PasswordRequired();
        }

        if (await ContentAsync(share, ct) is not { } content)
        {
            return new PublicShareOutcome.NotFound();
        }

        if (!counted && !await CountViewAsync(share, visitor, ct))
        {
            // Another visitor took the last view meanwhile.
            return new PublicShareOutcome.NotFound();
        }

        return new PublicShareOutcome.Shown(content);
    }

    public async Task<PublicShareOutcome> UnlockAsync(HttpContext http, string token, string? password, CancellationToken ct)
    {
        if (await OpenAsync(http, token, ct) is not var (share, _, _))
        {
            return new PublicShareOutcome.NotFound();
        }

        if (share.PasswordHash is null)
        {
            return new PublicShareOutcome.Unlocked();
        }

        if (string.IsNullOrEmpty(password))
        {
            return new PublicShareOutcome.Invalid("password", "The link's password is required.");
        }

        // As sign-in: counted before the hash is checked, per link and client address.
        var pair = throttles.PairId($"share:{share.Id:N}", http.ClientKey());
        if ((await throttles.RetryAfterAsync(pair, ct) ?? await throttles.CountAttemptAsync(pair, ct)) is { } wait)
        {
            return new PublicShareOutcome.Throttled(wait);
        }

        if (hasher.VerifyHashedPassword(ShareService.HashUser, share.PasswordHash, password) == PasswordVerificationResult.Failed)
        {
            return new PublicShareOutcome.PasswordInvalid();
        }

        await throttles.ClearAsync(pair, ct);
        cookies.SetUnlocked(http, share);
        return new PublicShareOutcome.Unlocked();
    }

    /// <summary>
    /// The live link of <paramref name="token"/> and this visitor (counted already or not), keying the
    /// rest of the request to its owner; null when unknown, revoked, expired, or exhausted for a new visitor.
    /// </summary>
    private async Task<(Share Share, string Visitor, bool Counted)?> OpenAsync(HttpContext http, string token, CancellationToken ct)
    {
        // 128 bits in base64url: anything else cannot be a token, and needs no query.
        if (token.Length != 22)
        {
            return null;
        }

        Share? share;
        using (tenant.AsSystem())
        {
            share = await db.Shares.AsNoTracking().SingleOrDefaultAsync(s => s.Token == token, ct);
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (share is null || share.RevokedAt is not null || share.ExpiresAt <= now)
        {
            return null;
        }

        tenant.Set(share.UserId);
        var visitor = cookies.VisitorHash(share.Id, cookies.Visitor(http));
        var counted = await db.ShareViews.AnyAsync(v => v.ShareId == share.Id && v.Visitor == visitor, ct);
        if (!counted && share.MaxViews is { } max && share.Views >= max)
        {
            return null;
        }

        return (share, visitor, counted);
    }

    /// <summary>The shared image, or the folder's and its sub-folders' images (not the trashed); null when nothing is left to show.</summary>
    private async Task<PublicShareDto?> ContentAsync(Share share, CancellationToken ct)
    {
        if (share.ImageId is { } imageId)
        {
            var image = await db.Images.AsNoTracking().SingleOrDefaultAsync(i => i.Id == imageId && i.UserId == share.UserId, ct);
            return image is null ? null : new PublicShareDto("image", null, share.ExpiresAt, [ToDto(image)]);
        }

        var folder = await db.Folders.AsNoTracking().SingleOrDefaultAsync(f => f.Id == share.FolderId && f.UserId == share.UserId, ct);
        if (folder is null)
        {
            return null;
        }

        var folderIds = await db.Folders.AsNoTracking()
            .Where(f => f.UserId == share.UserId && (f.Id == folder.Id || f.ParentId == folder.Id))
            .Select(f => (Guid?)f.Id)
            .ToListAsync(ct);
        var images = await db.Images.AsNoTracking()
            .Where(i => i.UserId == share.UserId && folderIds.Contains(i.FolderId))
            .OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id)
            .Take(FolderImageLimit)
            .ToListAsync(ct);
        return new PublicShareDto("folder", folder.Name, share.ExpiresAt, images.Select(ToDto).ToList());
    }

    /// <summary>
    /// Counts this visitor once: the view count rises only while under the limit, in the same
    /// transaction that records the visitor. False when the limit was reached meanwhile.
    /// </summary>
    private async Task<bool> CountViewAsync(Share share, string visitor, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var tx = await db.BeginWriteAsync(ct);
        var raised = await db.Shares
            .Where(s => s.Id == share.Id && (s.MaxViews == null || s.Views < s.MaxViews))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Views, x => x.Views + 1), ct);
        if (raised == 0)
        {
            return false;
        }

        db.ShareViews.Add(new ShareView { ShareId = share.Id, Visitor = visitor, ViewedAt = now });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same visitor's parallel request recorded the view first: this one counts nothing.
            db.ChangeTracker.Clear();
            await tx.RollbackAsync(ct);
            return true;
        }

        await tx.CommitAsync(ct);
        return true;
    }

    private PublicShareImageDto ToDto(Image image) =>
        new(image.Id, urls.UrlFor(image.OriginalKey, ImageUrlLifetime), urls.UrlFor(image.Thumb512Key, ImageUrlLifetime), image.Width, image.Height);
}
