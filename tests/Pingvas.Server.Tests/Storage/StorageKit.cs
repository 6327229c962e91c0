using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Catalog;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Storage;

public sealed record BucketBody(long Count, long Bytes);

public sealed record StorageBody(long UsedBytes, long ReservedBytes, long? QuotaBytes, bool OverQuota, BucketBody Images, BucketBody Trash, BucketBody Uploads, BucketBody Loras);

public sealed record RetentionBody(int? Days);

public sealed record RetentionPreviewBody(int Images, long Bytes, List<ImageBody> Sample);

/// <summary>Plans with a given storage quota, and the storage and retention endpoints as a client calls them.</summary>
public static class StorageKit
{
    /// <summary>A plan of its own with <paramref name="storageBytes"/> of storage (null: unlimited).</summary>
    public static async Task<string> AddStoragePlanAsync(this PingvasServer server, long? storageBytes, string features = "generate,loras")
    {
        var plan = $"quota-{Guid.NewGuid():N}";
        await server.QueryAsync(async db =>
        {
            db.Plans.Add(new Plan { Id = plan, Name = "Quota test", Rank = 0, MonthlyCredits = 1000, StorageBytes = storageBytes, ConcurrentJobs = 1, QueuePriority = 2, MaxSide = 1024, MaxBatch = 4, Features = features });
            return await db.SaveChangesAsync();
        });
        return plan;
    }

    public static async Task<StorageBody> StorageAsync(this TestUser user) =>
        (await user.Client.GetFromJsonAsync<StorageBody>("/api/v1/me/storage", Json.Options))!;

    public static async Task<RetentionPreviewBody> RetentionPreviewAsync(this TestUser user, int days) =>
        (await user.Client.GetFromJsonAsync<RetentionPreviewBody>($"/api/v1/me/retention/preview?days={days}", Json.Options))!;

    /// <summary>The images of a user's job as stored (trashed ones too), for the figures to compare with.</summary>
    public static Task<List<Pingvas.Server.Gallery.Image>> StoredImagesAsync(this PingvasServer server, Guid userId) =>
        server.QueryAsync(db => db.Images.IgnoreQueryFilters().AsNoTracking().Where(i => i.UserId == userId).ToListAsync());

    /// <summary>Moves an image to the trash as <c>DELETE /images/{id}</c> does (another part of issue 12 writes that route).</summary>
    public static Task TrashAsync(this PingvasServer server, Guid imageId, DateTime at) =>
        server.QueryAsync(db => db.Images.Where(i => i.Id == imageId).ExecuteUpdateAsync(s => s.SetProperty(i => i.DeletedAt, at)));

    public static Task StarAsync(this PingvasServer server, Guid imageId) =>
        server.QueryAsync(db => db.Images.Where(i => i.Id == imageId).ExecuteUpdateAsync(s => s.SetProperty(i => i.Starred, true)));
}
