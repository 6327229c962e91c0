using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Accounts;
using Pingvas.Server.Catalog;
using Pingvas.Server.Data;

namespace Pingvas.Server.Storage;

/// <summary>
/// A user's storage: what is stored (gallery, trash, uploads, LoRAs) and what queued or running jobs hold.
/// <paramref name="UsedBytes"/> and <paramref name="ReservedBytes"/> are the running totals the quota is checked against.
/// </summary>
public sealed record StorageFigures(
    long ImageCount, long ImageBytes, long TrashCount, long TrashBytes, long UploadCount, long UploadBytes, long LoraCount, long LoraBytes,
    long UsedBytes, long ReservedBytes);

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
/// Both are running totals on the user's row (<see cref="User.StoredBytes"/>, <see cref="User.ReservedBytes"/>),
/// kept by database triggers in the same transaction as every insert, purge or delete of a stored
/// row and every job that starts or stops holding its reservation (migration 0026_storage_totals), so
/// a check reads one row however large the gallery is, and no code path can forget to count.
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
        if (plan.StorageBytes is null)
        {
            return null;
        }

        var (used, reserved) = await TotalsAsync(userId, ct);
        return Check(plan, used, reserved, adding);
    }

    /// <summary>
    /// <see cref="CheckAsync"/> from an owner row read under the owner's lock in this transaction (a
    /// submit locks and reads it in one round trip), so the check costs no query at all.
    /// </summary>
    public static QuotaExceeded? Check(User lockedOwner, Plan plan, long adding) =>
        Check(plan, lockedOwner.StoredBytes, lockedOwner.ReservedBytes, adding);

    private static QuotaExceeded? Check(Plan plan, long used, long reserved, long adding) =>
        plan.StorageBytes is { } quota && used + reserved + adding > quota ? new QuotaExceeded(plan.Id, quota, used, reserved, adding) : null;

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
        var (used, reserved) = await TotalsAsync(userId, ct);
        var kept = images.SingleOrDefault(g => !g.Trashed);
        var trash = images.SingleOrDefault(g => g.Trashed);
        return new StorageFigures(
            kept?.Count ?? 0, kept?.Bytes ?? 0, trash?.Count ?? 0, trash?.Bytes ?? 0,
            uploads?.Count ?? 0, uploads?.Bytes ?? 0, loras?.Count ?? 0, loras?.Bytes ?? 0, used, reserved);
    }

    /// <summary>The running totals: one row read.</summary>
    private async Task<(long Used, long Reserved)> TotalsAsync(Guid userId, CancellationToken ct)
    {
        var totals = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.StoredBytes, u.ReservedBytes }).SingleAsync(ct);
        return (totals.StoredBytes, totals.ReservedBytes);
    }
}
