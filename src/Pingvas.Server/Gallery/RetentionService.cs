using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Jobs;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Gallery;

/// <summary>What a retention rule would move to the trash now: how many images, their bytes, and the oldest few.</summary>
public sealed record RetentionPreview(int Images, long Bytes, IReadOnlyList<ImageDto> Sample);

/// <summary>
/// The per-user retention rule ("move unstarred images older than N days to the trash"): read,
/// set, preview, and apply. Preview and apply share one query, so the preview is exactly what the
/// sweep then trashes. Trashed images stay restorable (and counted in storage) until the purge.
/// </summary>
public sealed class RetentionService(PingvasDb db, IObjectUrls urls, TimeProvider time)
{
    public const int MinDays = 7;
    public const int MaxDays = 3650;
    public const int SampleSize = 12;

    public static bool IsValid(int? days) => days is null or (>= MinDays and <= MaxDays);

    public static string Rule => $"days must be null (keep everything) or between {MinDays} and {MaxDays}.";

    public Task<int?> GetAsync(Guid userId, CancellationToken ct) =>
        db.Users.Where(u => u.Id == userId).Select(u => u.RetentionDays).SingleAsync(ct);

    /// <param name="days">Already checked with <see cref="IsValid"/>.</param>
    public async Task SetAsync(Guid userId, int? days, CancellationToken ct) =>
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.RetentionDays, days), ct);

    public async Task<RetentionPreview> PreviewAsync(Guid userId, int days, CancellationToken ct)
    {
        var due = Due(userId, Cutoff(days));
        var totals = await due.GroupBy(i => 1).Select(g => new { Count = g.Count(), Bytes = g.Sum(i => i.StoredBytes) }).SingleOrDefaultAsync(ct);
        var sample = await due.AsNoTracking().OrderBy(i => i.CreatedAt).ThenBy(i => i.Id).Take(SampleSize).ToListAsync(ct);
        var ids = sample.Select(i => i.Id).ToList();
        var tags = (await db.ImageTags.Where(t => t.UserId == userId && ids.Contains(t.ImageId)).ToListAsync(ct)).ToLookup(t => t.ImageId, t => t.Tag);
        return new RetentionPreview(totals?.Count ?? 0, totals?.Bytes ?? 0,
            [.. sample.Select(i => ImageDto.From(i, [.. tags[i.Id].Order(StringComparer.Ordinal)], urls))]);
    }

    /// <summary>
    /// Moves the user's due images to the trash (DeletedAt = now) in one statement, under the owner's
    /// lock so no submit picks one as its input meanwhile. Returns how many moved.
    /// </summary>
    public async Task<int> ApplyAsync(Guid userId, int days, CancellationToken ct)
    {
        var now = Now();
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);
        var moved = await Due(userId, now.AddDays(-days)).ExecuteUpdateAsync(s => s.SetProperty(i => i.DeletedAt, now), ct);
        await tx.CommitAsync(ct);
        return moved;
    }

    private DateTime Cutoff(int days) => Now().AddDays(-days);

    /// <summary>Microseconds, as PostgreSQL stores them.</summary>
    private DateTime Now()
    {
        var now = time.GetUtcNow().UtcDateTime;
        return now.AddTicks(-(now.Ticks % 10));
    }

    /// <summary>
    /// Unstarred gallery images created before the cutoff (the query filter leaves trashed ones out,
    /// so nothing is counted twice), except those a waiting or running job still needs as input.
    /// </summary>
    private IQueryable<Image> Due(Guid userId, DateTime cutoff) =>
        db.Images.Where(i => i.UserId == userId && !i.Starred && i.CreatedAt < cutoff
            && !db.Jobs.Any(j => j.UserId == userId
                && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running)
                && (j.InitImageId == i.Id || j.MaskImageId == i.Id
                    || db.JobInputs.Any(x => x.JobId == j.Id && x.Kind == JobInputKinds.Image && x.RefId == i.Id))));
}
