using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Catalog;
using Pingvas.Server.Data;
using Pingvas.Server.Jobs;

namespace Pingvas.Server.Storage;

/// <summary>A user's storage: what is stored (gallery, trash, uploads, LoRAs) and what queued or running jobs hold.</summary>
public sealed record StorageFigures(
    long ImageCount, long ImageBytes, long TrashCount, long TrashBytes, long UploadCount, long UploadBytes, long LoraCount, long LoraBytes, long ReservedBytes)
{
    public long UsedBytes => ImageBytes + TrashBytes + UploadBytes + LoraBytes;
}

/// <summary>Why something new does not fit: stored + reserved + adding would pass the plan's quota.</summary>
public sealed record QuotaExceeded(string PlanId, long QuotaBytes, long UsedBytes, long ReservedBytes, long AddingBytes)
{
    /// <summary>A sentence for the problem's detail, naming what was refused (e.g. "This upload").</summary>
    public string Describe(string what) =>
        $"{what} needs {AddingBytes} bytes; you store {UsedBytes} bytes and running or waiting generations hold {ReservedBytes}, " +
        $"and the {PlanId} plan allows {QuotaBytes}. Delete images (and empty the trash), uploads or LoRAs to make room.";
}

/// <summary>
/// The one place for the plan's storage quota: every stored byte (gallery images with their
/// thumbnails, trashed ones too, uploads, LoRA files) plus the bytes queued and running jobs
/// reserve for their outputs, against <see cref="Plan.StorageBytes"/> (null: unlimited).
/// Callers check under the owner's lock, which every submit, upload and LoRA upload takes,
/// so two of them cannot both squeeze under the quota.
/// </summary>
public sealed class StorageQuota(PingvasDb db, CatalogCache catalogs)
{
    /// <summary>Per image, room for the two WebP thumbnails and the PNG's framing and metadata.</summary>
    public const long ThumbnailAllowance = 128 * 1024;

    /// <summary>
    /// What a job's outputs may take: per image 3 bytes a pixel (a generated picture's PNG is far
    /// smaller; only noise comes near it) plus <see cref="ThumbnailAllowance"/>.
    /// </summary>
    public static long EstimateBytes(int width, int height, int batch) =>
        Math.Max(1, batch) * ((long)width * height * 3 + ThumbnailAllowance);

    /// <summary>The user's plan, from the catalogue cache (reloaded once for a plan newer than our copy).</summary>
    public async Task<Plan> PlanOfAsync(Guid userId, CancellationToken ct)
    {
        var planId = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.PlanId).SingleAsync(ct);
        var catalog = await catalogs.GetAsync(db, ct);
        if (!catalog.Plans.TryGetValue(planId, out var plan))
        {
            plan = (await catalogs.GetAsync(db, ct, reload: true)).Plans[planId];
        }

        return plan;
    }

    /// <summary>Stored bytes: gallery images (trashed ones too), uploads and LoRA files.</summary>
    public async Task<long> UsedBytesAsync(Guid userId, CancellationToken ct)
    {
        var (used, _) = await TotalsAsync(userId, ct);
        return used;
    }

    /// <summary>
    /// Null when <paramref name="adding"/> more bytes fit the plan, else the figures that do not.
    /// Call it under the owner's lock when the answer decides a write.
    /// </summary>
    public async Task<QuotaExceeded?> CheckAsync(Guid userId, Plan plan, long adding, CancellationToken ct)
    {
        if (plan.StorageBytes is not { } quota)
        {
            return null;
        }

        var (used, reserved) = await TotalsAsync(userId, ct);
        return used + reserved + adding > quota ? new QuotaExceeded(plan.Id, quota, used, reserved, adding) : null;
    }

    /// <summary>The breakdown <c>GET /me/storage</c> shows.</summary>
    public async Task<StorageFigures> FiguresAsync(Guid userId, CancellationToken ct)
    {
        var images = await db.Images.IgnoreQueryFilters().Where(i => i.UserId == userId)
            .GroupBy(i => i.DeletedAt != null)
            .Select(g => new { Trashed = g.Key, Count = g.LongCount(), Bytes = g.Sum(i => i.StoredBytes) })
            .ToListAsync(ct);
        var uploads = await db.Uploads.Where(u => u.UserId == userId)
            .GroupBy(u => 1).Select(g => new { Count = g.LongCount(), Bytes = g.Sum(u => u.Bytes) }).SingleOrDefaultAsync(ct);
        var loras = await db.Loras.Where(l => l.UserId == userId)
            .GroupBy(l => 1).Select(g => new { Count = g.LongCount(), Bytes = g.Sum(l => l.Bytes) }).SingleOrDefaultAsync(ct);
        var reserved = await Reserving(userId).SumAsync(j => (long?)j.ReservedBytes, ct) ?? 0;
        var kept = images.SingleOrDefault(g => !g.Trashed);
        var trash = images.SingleOrDefault(g => g.Trashed);
        return new StorageFigures(
            kept?.Count ?? 0, kept?.Bytes ?? 0, trash?.Count ?? 0, trash?.Bytes ?? 0,
            uploads?.Count ?? 0, uploads?.Bytes ?? 0, loras?.Count ?? 0, loras?.Bytes ?? 0, reserved);
    }

    /// <summary>Stored and reserved bytes in one round trip (the submit path runs it under the owner's lock).</summary>
    private async Task<(long Used, long Reserved)> TotalsAsync(Guid userId, CancellationToken ct)
    {
        // IgnoreQueryFilters covers the whole query: trashed images count until they are purged.
        var totals = await db.Users.IgnoreQueryFilters().Where(u => u.Id == userId).Select(u => new
        {
            Images = db.Images.Where(i => i.UserId == u.Id).Sum(i => (long?)i.StoredBytes) ?? 0,
            Uploads = db.Uploads.Where(x => x.UserId == u.Id).Sum(x => (long?)x.Bytes) ?? 0,
            Loras = db.Loras.Where(l => l.UserId == u.Id).Sum(l => (long?)l.Bytes) ?? 0,
            Reserved = db.Jobs.Where(j => j.UserId == u.Id && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running))
                .Sum(j => (long?)j.ReservedBytes) ?? 0,
        }).SingleAsync(ct);
        return (totals.Images + totals.Uploads + totals.Loras, totals.Reserved);
    }

    /// <summary>A job holds its reservation while it waits or runs; once it ends, its stored images (if any) count instead.</summary>
    private IQueryable<Job> Reserving(Guid userId) =>
        db.Jobs.Where(j => j.UserId == userId && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running));
}
