using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;

namespace Pingvas.Server.YourData;

/// <summary>A request for an export: the new export, or the one already queued or running.</summary>
public sealed record ExportRequestOutcome(ExportDto? Created, ExportDto? InProgress);

/// <summary>The signed-in user's exports: request one (built by <see cref="ExportBuilder"/>), read them.</summary>
public sealed class ExportService(PingvasDb db, ExportLinks links, ExportSignal signal, TimeProvider time)
{
    /// <summary>How many exports the list shows (newest first); older ones are expired anyway.</summary>
    public const int Listed = 20;

    /// <summary>Queues an export unless one is queued or running (checked under the owner's lock, so two requests cannot both queue one).</summary>
    public async Task<ExportRequestOutcome> RequestAsync(Guid userId, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);
        var busy = await db.DataExports.AsNoTracking()
            .Where(e => e.UserId == userId && (e.Status == ExportStatus.Queued || e.Status == ExportStatus.Running))
            .FirstOrDefaultAsync(ct);
        if (busy is not null)
        {
            return new ExportRequestOutcome(null, ToDto(busy));
        }

        var export = new DataExport
        {
            Id = Ids.New(),
            UserId = userId,
            Status = ExportStatus.Queued,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.DataExports.Add(export);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        signal.Notify();
        return new ExportRequestOutcome(ToDto(export), null);
    }

    public async Task<ExportDto?> GetAsync(Guid userId, Guid id, CancellationToken ct) =>
        await db.DataExports.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id && e.UserId == userId, ct) is { } export ? ToDto(export) : null;

    public async Task<ExportListDto> ListAsync(Guid userId, CancellationToken ct)
    {
        var exports = await db.DataExports.AsNoTracking().Where(e => e.UserId == userId)
            .OrderByDescending(e => e.Id).Take(Listed).ToListAsync(ct);
        return new ExportListDto([.. exports.Select(ToDto)]);
    }

    private ExportDto ToDto(DataExport e) =>
        new(e.Id, e.Status, e.Progress, e.Bytes, links.DownloadUrl(e), e.ExpiresAt, e.Error, e.CreatedAt);
}
