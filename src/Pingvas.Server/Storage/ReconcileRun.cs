using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.YourData;

namespace Pingvas.Server.Storage;

/// <summary>
/// Storage against the database after a restore, in bounded memory: the objects under <c>users/</c>
/// are listed page by page and looked up a batch at a time (orphans: written after the backup), then
/// every table that refers to objects is paged by id and its objects checked (missing: deleted after
/// the backup). With <c>--apply</c> orphans move to <c>quarantine/</c> (kept, not deleted) and ready
/// exports whose ZIP is gone become <c>expired</c>; images, uploads and LoRAs have no "lost" state, so
/// their missing objects are reported only.
/// </summary>
public sealed class ReconcileRun(PingvasDb db, IObjectStore store, TimeProvider time, ReconcileArguments args, ReconcileReport report)
{
    public const string QuarantinePrefix = "quarantine/";

    /// <summary>Existence checks in flight at once (HEAD requests on S3).</summary>
    private const int Parallelism = 8;

    public async Task ReconcileAsync(CancellationToken ct)
    {
        report.Line(args.Apply
            ? "storage-reconcile: apply (orphans move to quarantine/, expired exports are marked)"
            : "storage-reconcile: dry run (nothing changes; --apply to act)");
        await FindOrphansAsync(ct);
        await FindMissingAsync(ct);
        report.WriteSummary(args.MinAge);
    }

    public async Task PurgeQuarantineAsync(CancellationToken ct)
    {
        report.Line(args.Apply
            ? $"storage-reconcile: purging quarantined objects older than {args.OlderThan.TotalDays:0.##} days"
            : $"storage-reconcile: dry run of the quarantine purge (older than {args.OlderThan.TotalDays:0.##} days; --apply to delete)");
        var cutoff = time.GetUtcNow() - args.OlderThan;
        await foreach (var item in store.ListAsync(QuarantinePrefix, ct))
        {
            if (item.LastModified >= cutoff)
            {
                continue;
            }

            report.Purgeable++;
            if (args.Apply)
            {
                await store.DeleteAsync(item.Key, ct);
                report.Purged++;
            }
        }

        report.WritePurgeSummary();
    }

    private async Task FindOrphansAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - args.MinAge;
        var batch = new List<StoredObjectInfo>(args.BatchSize);
        await foreach (var item in store.ListAsync(ObjectKeys.UsersPrefix, ct))
        {
            if (++report.Listed % ReconcileReport.ProgressEvery == 0)
            {
                report.Line($"objects: {report.Listed} listed, {report.Orphans} orphans so far");
            }

            if (ReconcileKeys.Classify(item.Key, out _) == ReconcileKeys.Kind.Unknown)
            {
                report.Unrecognised++;
                report.AddSample(report.UnrecognisedSample, item.Key);
            }
            else if (item.LastModified >= cutoff)
            {
                // It may belong to a job or upload committing right now.
                report.Young++;
            }
            else
            {
                batch.Add(item);
                if (batch.Count == args.BatchSize)
                {
                    await ResolveAsync(batch, ct);
                    batch.Clear();
                }
            }
        }

        await ResolveAsync(batch, ct);
        report.Line($"objects: {report.Listed} listed, {report.Orphans} orphans");
    }

    private async Task ResolveAsync(List<StoredObjectInfo> batch, CancellationToken ct)
    {
        var byKind = new Dictionary<ReconcileKeys.Kind, List<Guid>>();
        foreach (var item in batch)
        {
            var kind = ReconcileKeys.Classify(item.Key, out var id);
            (byKind.TryGetValue(kind, out var ids) ? ids : byKind[kind] = []).Add(id);
        }

        var referenced = await ReconcileKeys.ReferencedAsync(db, byKind, ct);
        foreach (var item in batch.Where(i => !referenced.Contains(i.Key)))
        {
            report.Orphans++;
            report.OrphanBytes += item.Size;
            report.AddSample(report.OrphanSample, $"{item.Key} ({item.Size} bytes, {item.LastModified:yyyy-MM-dd HH:mm}Z)");
            if (args.Apply && await QuarantineAsync(item.Key, ct))
            {
                report.Quarantined++;
            }
        }
    }

    /// <summary>Copies the object to <c>quarantine/&lt;key&gt;</c>, then deletes the original; false when it vanished meanwhile.</summary>
    private async Task<bool> QuarantineAsync(string key, CancellationToken ct)
    {
        var found = await store.GetAsync(key, ct);
        if (found is null)
        {
            return false;
        }

        await using (found.Content)
        {
            await store.PutStreamAsync(QuarantinePrefix + key, found.Content, found.Length, found.ContentType, ct);
        }

        await store.DeleteAsync(key, ct);
        return true;
    }

    private async Task FindMissingAsync(CancellationToken ct)
    {
        var images = db.Images.IgnoreQueryFilters().AsNoTracking();
        await CheckTableAsync("images", after => images.Where(i => i.Id.CompareTo(after) > 0).OrderBy(i => i.Id).Take(args.BatchSize)
            .Select(i => new RowKeys(i.Id, new[] { i.OriginalKey, i.Thumb256Key, i.Thumb512Key })), ct);
        var uploads = db.Uploads.IgnoreQueryFilters().AsNoTracking();
        await CheckTableAsync("uploads", after => uploads.Where(u => u.Id.CompareTo(after) > 0).OrderBy(u => u.Id).Take(args.BatchSize)
            .Select(u => new RowKeys(u.Id, new[] { u.ObjectKey })), ct);
        var loras = db.Loras.IgnoreQueryFilters().AsNoTracking();
        await CheckTableAsync("loras", after => loras.Where(l => l.Id.CompareTo(after) > 0).OrderBy(l => l.Id).Take(args.BatchSize)
            .Select(l => new RowKeys(l.Id, new[] { l.ObjectKey })), ct);

        // Only ready exports point at a ZIP; a missing one is what expiry would have left: mark it so.
        var exports = db.DataExports.IgnoreQueryFilters().AsNoTracking().Where(e => e.Status == ExportStatus.Ready && e.ObjectKey != null);
        var gone = await CheckTableAsync("exports", after => exports.Where(e => e.Id.CompareTo(after) > 0).OrderBy(e => e.Id).Take(args.BatchSize)
            .Select(e => new RowKeys(e.Id, new[] { e.ObjectKey! })), ct);
        if (args.Apply)
        {
            foreach (var chunk in gone.Chunk(args.BatchSize))
            {
                report.ExportsExpired += await db.DataExports.Where(e => chunk.Contains(e.Id) && e.Status == ExportStatus.Ready)
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, ExportStatus.Expired).SetProperty(e => e.ObjectKey, (string?)null), ct);
            }
        }
    }

    private sealed record RowKeys(Guid Id, string[] Keys);

    /// <summary>Pages a table by id and checks each row's objects; returns the ids of rows with a missing object.</summary>
    private async Task<List<Guid>> CheckTableAsync(string table, Func<Guid, IQueryable<RowKeys>> page, CancellationToken ct)
    {
        var rowsWithMissing = new List<Guid>();
        report.RowsChecked[table] = 0;
        report.Missing[table] = 0;
        var after = Guid.Empty;
        while (true)
        {
            var rows = await page(after).ToListAsync(ct);
            if (rows.Count == 0)
            {
                break;
            }

            after = rows[^1].Id;
            var checks = rows.SelectMany(r => r.Keys.Select(k => (r.Id, Key: k))).ToList();
            var missing = new System.Collections.Concurrent.ConcurrentBag<(Guid Id, string Key)>();
            await Parallel.ForEachAsync(checks, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (check, c) =>
            {
                if (!await store.ExistsAsync(check.Key, c))
                {
                    missing.Add(check);
                }
            });

            foreach (var (id, key) in missing.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                report.Missing[table]++;
                report.AddSample(report.MissingSample, $"{table} {id}: {key}");
            }

            rowsWithMissing.AddRange(missing.Select(m => m.Id).Distinct());
            var before = report.RowsChecked[table];
            report.RowsChecked[table] += rows.Count;
            if (report.RowsChecked[table] / ReconcileReport.ProgressEvery != before / ReconcileReport.ProgressEvery)
            {
                report.Line($"{table}: {report.RowsChecked[table]} rows checked, {report.Missing[table]} missing objects so far");
            }
        }

        report.Line($"{table}: {report.RowsChecked[table]} rows checked, {report.Missing[table]} missing objects");
        return rowsWithMissing;
    }
}
