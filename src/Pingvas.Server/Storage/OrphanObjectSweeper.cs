using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Storage;

/// <summary>
/// Deletes image objects that no image row refers to: leftovers of a worker that died between storing
/// a job's images and committing them, a completion the database refused, a delete whose storage step
/// failed. Walks the <c>users/</c> keys, looks their image ids up in batches, and deletes the objects of
/// ids without a row once they are older than <see cref="OrphanSweepOptions.MinAge"/> — younger ones may
/// belong to a job committing right now. Idempotent, so every serving process may run it.
/// </summary>
public sealed class OrphanObjectSweeper : PeriodicChore
{
    /// <summary>Image ids looked up per query.</summary>
    internal const int BatchSize = 500;

    private readonly IObjectStore store;
    private readonly OrphanSweepOptions options;
    private readonly TimeProvider time;
    private readonly ILogger<OrphanObjectSweeper> logger;

    public OrphanObjectSweeper(IServiceScopeFactory scopes, IObjectStore store, OrphanSweepOptions options, TimeProvider time, ILogger<OrphanObjectSweeper> logger)
        : base(scopes, time, logger)
    {
        this.store = store;
        this.options = options;
        this.time = time;
        this.logger = logger;
    }

    protected override TimeSpan Interval => options.Interval;

    /// <summary>Returns how many objects it deleted.</summary>
    protected override async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        // Every chore runs in system context (PeriodicChore). Checked here as well, because under
        // row-level security any other context sees no rows, and every object would look orphaned.
        if (!services.GetRequiredService<DatabaseTenant>().IsSystem)
        {
            throw new InvalidOperationException("The orphan sweep must run in system context.");
        }

        var db = services.GetRequiredService<PingvasDb>();
        var cutoff = time.GetUtcNow() - options.MinAge;
        var batch = new Dictionary<Guid, List<string>>();
        var deleted = 0;
        await foreach (var item in store.ListAsync(ObjectKeys.UsersPrefix, ct))
        {
            // Young objects are never candidates, and keys of other shapes are not ours to judge.
            if (item.LastModified >= cutoff || !ObjectKeys.TryParseImage(item.Key, out _, out var imageId))
            {
                continue;
            }

            if (!batch.TryGetValue(imageId, out var keys))
            {
                if (batch.Count == BatchSize)
                {
                    deleted += await SweepAsync(db, batch, ct);
                    batch.Clear();
                }

                batch[imageId] = keys = [];
            }

            keys.Add(item.Key);
        }

        return deleted + await SweepAsync(db, batch, ct);
    }

    private async Task<int> SweepAsync(PingvasDb db, Dictionary<Guid, List<string>> batch, CancellationToken ct)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        var ids = batch.Keys.ToList();
        var live = (await db.Images.IgnoreQueryFilters().AsNoTracking().Where(i => ids.Contains(i.Id)).Select(i => i.Id).ToListAsync(ct)).ToHashSet();
        var deleted = 0;
        foreach (var (imageId, keys) in batch)
        {
            if (live.Contains(imageId))
            {
                continue;
            }

            foreach (var key in keys)
            {
                try
                {
                    await store.DeleteAsync(key, ct);
                    deleted++;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // One object the store refuses must not keep the rest: it is tried again next sweep.
                    logger.LogWarning(ex, "Could not delete orphaned object {Key}", key);
                }
            }
        }

        return deleted;
    }
}
