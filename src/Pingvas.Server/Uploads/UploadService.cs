using Microsoft.EntityFrameworkCore;

using Pingvas.Engines.Imaging;
using Pingvas.Server.Catalog;
using Pingvas.Server.Data;
using Pingvas.Server.Jobs;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Uploads;

/// <summary>
/// The upload use cases: take an image (sniffed, fully decoded, within the plan's side and storage
/// quota), delete one (refused while a queued or running job needs it). Returns domain outcomes.
/// </summary>
public sealed class UploadService(PingvasDb db, StorageQuota quota, IObjectStore store, TimeProvider time, ILogger<UploadService> logger)
{
    /// <summary>The largest upload accepted, in bytes (10 MB).</summary>
    public const long MaxBytes = 10L * 1024 * 1024;

    private static readonly Dictionary<string, string> FormatsByType = new(StringComparer.OrdinalIgnoreCase)
    {
        ["image/png"] = "png",
        ["image/webp"] = "webp",
        ["image/jpeg"] = "jpeg",
    };

    /// <param name="contentType">The declared media type (parameters already stripped).</param>
    /// <param name="bytes">The whole body, at most <see cref="MaxBytes"/>.</param>
    public async Task<UploadOutcome> CreateAsync(Guid userId, string? contentType, byte[] bytes, CancellationToken ct)
    {
        if (contentType is null || !FormatsByType.TryGetValue(contentType, out var claimed))
        {
            return new UploadOutcome.UnsupportedType("Send the image as the request body with Content-Type image/png, image/webp or image/jpeg.");
        }

        var plan = await quota.PlanOfAsync(userId, ct);
        ImageInfo info;
        try
        {
            info = ImageDecoder.Identify(bytes);
        }
        catch (InvalidImageException)
        {
            return new UploadOutcome.InvalidImage($"The body is not a valid {claimed} image.");
        }

        if (info.Format != claimed)
        {
            return new UploadOutcome.InvalidImage($"The body is a {info.Format} image, not the {claimed} its Content-Type claims.");
        }

        // Before decoding: a small file may declare a huge picture.
        if (Math.Max(info.Width, info.Height) > plan.MaxSide)
        {
            return new UploadOutcome.ImageTooLarge($"The image is {info.Width}×{info.Height}; the {plan.Id} plan allows at most {plan.MaxSide} px on the long side.");
        }

        try
        {
            ImageDecoder.Decode(bytes, (long)plan.MaxSide * plan.MaxSide);
        }
        catch (InvalidImageException)
        {
            return new UploadOutcome.InvalidImage($"The body is not a complete, valid {claimed} image.");
        }

        if (await QuotaProblemAsync(userId, plan, bytes.Length, ct) is { } early)
        {
            return early;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var upload = new Upload
        {
            Id = Ids.New(),
            UserId = userId,
            Format = info.Format,
            Width = info.Width,
            Height = info.Height,
            Bytes = bytes.Length,
            CreatedAt = now.AddTicks(-(now.Ticks % 10)),
            ObjectKey = "",
        };
        upload.ObjectKey = UploadKeys.New(userId, upload.Id, upload.Format);

        // The bytes go first, outside the transaction; the row, checked against the quota under the
        // owner's lock (so two uploads cannot both squeeze under it), makes them visible.
        await store.PutAsync(upload.ObjectKey, bytes, upload.ContentType, ct);
        var committed = false;
        try
        {
            await using var tx = await db.BeginWriteAsync(ct);
            await db.LockUserAsync(userId, ct);
            if (await QuotaProblemAsync(userId, plan, bytes.Length, ct) is { } late)
            {
                return late;
            }

            db.Uploads.Add(upload);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            committed = true;
            return new UploadOutcome.Created(UploadDto.From(upload));
        }
        finally
        {
            if (!committed)
            {
                await DeleteObjectAsync(upload.ObjectKey, upload.Id);
            }
        }
    }

    public async Task<UploadDeletion> DeleteAsync(Guid userId, Guid uploadId, CancellationToken ct)
    {
        string key;
        await using (var tx = await db.BeginWriteAsync(ct))
        {
            // Under the owner's lock, which a submit holds too: no job can start needing it meanwhile.
            await db.LockUserAsync(userId, ct);
            var upload = await db.Uploads.SingleOrDefaultAsync(u => u.Id == uploadId && u.UserId == userId, ct);
            if (upload is null)
            {
                return UploadDeletion.NotFound;
            }

            if (await JobInputs.InUseAsync(db, userId, uploadId, ct))
            {
                return UploadDeletion.InUse;
            }

            key = upload.ObjectKey;
            db.Uploads.Remove(upload);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        await DeleteObjectAsync(key, uploadId);
        return UploadDeletion.Deleted;
    }

    private async Task<UploadOutcome.OverQuota?> QuotaProblemAsync(Guid userId, Plan plan, long adding, CancellationToken ct) =>
        await quota.CheckAsync(userId, plan, adding, ct) is { } exceeded ? new UploadOutcome.OverQuota(exceeded.Describe("This upload")) : null;

    /// <summary>Best effort: the row is gone or was never written, so a failure here only leaves an unreachable object.</summary>
    private async Task DeleteObjectAsync(string key, Guid uploadId)
    {
        try
        {
            await store.DeleteAsync(key, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not delete the object of upload {UploadId}", uploadId);
        }
    }
}
