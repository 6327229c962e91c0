using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;

namespace Pingvas.Server.Uploads;

/// <summary>A user's stored bytes, for the plan's storage quota: gallery images (all three objects, trashed ones too), uploads and LoRA files.</summary>
public static class StorageUsage
{
    public static async Task<long> UsedBytesAsync(PingvasDb db, Guid userId, CancellationToken ct)
    {
        var images = await db.Images.IgnoreQueryFilters().Where(i => i.UserId == userId).SumAsync(i => (long?)i.StoredBytes, ct) ?? 0;
        var uploads = await db.Uploads.Where(u => u.UserId == userId).SumAsync(u => (long?)u.Bytes, ct) ?? 0;
        var loras = await db.Loras.Where(l => l.UserId == userId).SumAsync(l => (long?)l.Bytes, ct) ?? 0;
        return images + uploads + loras;
    }
}
