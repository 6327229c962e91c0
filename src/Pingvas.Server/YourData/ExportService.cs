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

    /// <summary>A build running longer than this was interrupted (its process stopped); a request may start a new one.</summary>
    public static readonly TimeSpan StaleBuild = TimeSpan.FromHours(6);

    /// <summary>Queues an export unless one is queued or running (checked under the owner's lock, so two requests cannot both queue one).</summary>
    public async Task<ExportRequestOutcome> RequestAsync(Guid userId, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);
        var busy = await db.DataExports.AsNoTracking()
            .Where(e => e.UserId == userId && (e.Status == ExportStatus.Queued || e.Status == ExportStatus.Running))
            .FirstOrDefaultAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        if (busy is { Status: ExportStatus.Running, StartedAt: { } started } && now - started > StaleBuild)
        {
            // Its process died mid-build: it will never finish, so it must not block a new one.
            await db.DataExports.Where(e => e.Id == busy.Id).ExecuteUpdateAsync(s => s
                .SetProperty(e => e.Status, ExportStatus.Failed)
                .SetProperty(e => e.Error, "The build was interrupted.")
                .SetProperty(e => e.FinishedAt, now), ct);
            busy = null;
        }

        if (busy is not null)
        {
            return new ExportRequestOutcome(null, ToDto(busy));
        }

        var export = new DataExport
        {
            Id = Ids.New(),
            UserId = userId,
            Status = ExportStatus.Queued,
            CreatedAt = now,
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
