using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Data;
using Pingvas.Server.Email;
using Pingvas.Server.Outbox;
using Pingvas.Server.Storage;

namespace Pingvas.Server.YourData;

/// <summary>
/// The background worker that builds queued exports, one at a time per process: claims one
/// (on PostgreSQL with <c>FOR UPDATE SKIP LOCKED</c>, so two processes never build the same one),
/// writes its ZIP to a temporary file with <see cref="ExportArchive"/>, updating <c>progress</c>
/// as it goes, stores it under <c>users/&lt;id&gt;/exports/&lt;id&gt;.zip</c>, and marks it ready
/// for 7 days with the link emailed through the outbox; on an error, failed with the error.
/// </summary>
public sealed class ExportBuilder(
    IServiceScopeFactory scopes, ExportSignal signal, OutboxSignal outboxSignal, IObjectStore store, IOptions<YourDataOptions> options, TimeProvider time, ILogger<ExportBuilder> logger)
    : BackgroundService
{
    private const string ClaimSql = """
        UPDATE data_exports SET status = 'running', started_at = @now, progress = 0
        WHERE id = (SELECT id FROM data_exports WHERE status = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING *
        """;

    /// <summary>Claims and builds queued exports until none is left; returns how many it built (ready or failed).</summary>
    public async Task<int> BuildPendingAsync(CancellationToken ct)
    {
        var built = 0;
        while (await ClaimAsync(ct) is { } export)
        {
            await BuildAsync(export, ct);
            built++;
        }

        return built;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromSeconds(Math.Max(1, options.Value.ExportPollSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await BuildPendingAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // A database outage: queued exports wait in their table; try again after the poll.
                logger.LogWarning(ex, "Export worker failed; retrying");
            }

            await signal.WaitAsync(poll, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task<DataExport?> ClaimAsync(CancellationToken ct)
    {
        // Exports of every user wait in one table: the claim reads across users on purpose.
        await using var scope = scopes.CreateSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
        var now = time.GetUtcNow().UtcDateTime;
        if (db.Database.IsNpgsql())
        {
            var claimed = await db.DataExports.FromSqlRaw(ClaimSql, new Npgsql.NpgsqlParameter("now", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = now })
                .AsNoTracking().ToListAsync(ct);
            return claimed.SingleOrDefault();
        }

        // SQLite: the immediate transaction excludes every other writer between the read and the update.
        await using var tx = await db.BeginWriteAsync(ct);
        var export = await db.DataExports.Where(e => e.Status == ExportStatus.Queued).OrderBy(e => e.Id).FirstOrDefaultAsync(ct);
        if (export is null)
        {
            return null;
        }

        (export.Status, export.StartedAt, export.Progress) = (ExportStatus.Running, now, 0);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return export;
    }

    private async Task BuildAsync(DataExport export, CancellationToken ct)
    {
        // The build reads one user's rows: a scope keyed to that user.
        await using var scope = scopes.CreateUserScope(export.UserId);
        var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
        var key = ExportLinks.KeyOf(export.UserId, export.Id);
        var path = Path.Combine(Path.GetTempPath(), $"pingvas-export-{export.Id:N}.zip");
        try
        {
            long bytes;
            await using (var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.Asynchronous | FileOptions.DeleteOnClose))
            {
                var shown = 0;
                await scope.ServiceProvider.GetRequiredService<ExportArchive>().WriteAsync(export.UserId, file, async percent =>
                {
                    if (percent > shown)
                    {
                        shown = percent;
                        await db.DataExports.Where(e => e.Id == export.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.Progress, percent), ct);
                    }
                }, ct);
                await file.FlushAsync(ct);
                bytes = file.Length;
                file.Position = 0;
                await store.PutStreamAsync(key, file, bytes, "application/zip", ct);
            }

            if (!await MarkReadyAsync(scope.ServiceProvider, db, export, key, bytes, ct))
            {
                // The export (or the account) was deleted while it was built: its ZIP must not stay.
                await store.DeleteAsync(key, CancellationToken.None);
                return;
            }

            logger.LogInformation("Export {Export} of user {User} is ready ({Bytes} bytes)", export.Id, export.UserId, bytes);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Export {Export} of user {User} failed", export.Id, export.UserId);
            var error = ex.Message.Length > 500 ? ex.Message[..500] : ex.Message;
            var now = time.GetUtcNow().UtcDateTime;
            await db.DataExports.Where(e => e.Id == export.Id).ExecuteUpdateAsync(s => s
                .SetProperty(e => e.Status, ExportStatus.Failed)
                .SetProperty(e => e.Error, error)
                .SetProperty(e => e.FinishedAt, now), CancellationToken.None);
            await store.DeleteAsync(key, CancellationToken.None);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Ready for 7 days, with the link's email in the same transaction. False when the export row is gone.</summary>
    private async Task<bool> MarkReadyAsync(IServiceProvider services, PingvasDb db, DataExport export, string key, long bytes, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var tx = await db.BeginWriteAsync(ct);
        var row = await db.DataExports.SingleOrDefaultAsync(e => e.Id == export.Id && e.Status == ExportStatus.Running, ct);
        if (row is null)
        {
            return false;
        }

        (row.Status, row.Progress, row.Bytes, row.ObjectKey, row.FinishedAt, row.ExpiresAt) =
            (ExportStatus.Ready, 100, bytes, key, now, now + YourDataOptions.ExportLifetime);
        await db.SaveChangesAsync(ct);
        var link = services.GetRequiredService<ExportLinks>().DownloadUrl(row)!;
        services.GetRequiredService<OutboxWriter>().Enqueue(new EmailRequest(EmailKinds.ExportReady, export.UserId, new Dictionary<string, string>
        {
            ["url"] = link.AbsoluteUri,
            ["expiresAt"] = row.ExpiresAt.Value.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["date"] = row.ExpiresAt.Value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        }));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        outboxSignal.Wake();
        return true;
    }
}
