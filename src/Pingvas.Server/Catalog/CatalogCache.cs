using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;

namespace Pingvas.Server.Catalog;

/// <summary>A read-only copy of the plans and models: seed data that changes with deploys, not per request.</summary>
public sealed record CatalogSnapshot(IReadOnlyDictionary<string, Plan> Plans, IReadOnlyDictionary<string, ImageModel> Models)
{
    /// <summary>An enabled model and the rank of its minimum plan, or null when there is no such model.</summary>
    public (ImageModel Model, int MinPlanRank)? EnabledModel(string id) =>
        Models.TryGetValue(id, out var model) && model.Enabled && Plans.TryGetValue(model.MinPlanId, out var min) ? (model, min.Rank) : null;
}

/// <summary>
/// Keeps the catalogue in memory so the submit path does not read it on every request. Entries are
/// at most <see cref="MaxAge"/> old: each process picks up a catalogue change within that time.
/// </summary>
public sealed class CatalogCache(TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim loading = new(1, 1);
    private (CatalogSnapshot Catalog, long LoadedAt)? current;

    /// <summary>
    /// The catalogue, read through the caller's <paramref name="db"/> when the copy is missing or
    /// old, or when <paramref name="reload"/> (the copy lacks something the database refers to).
    /// </summary>
    public async ValueTask<CatalogSnapshot> GetAsync(PingvasDb db, CancellationToken ct, bool reload = false)
    {
        if (reload)
        {
            current = null;
        }

        if (current is { } fresh && time.GetElapsedTime(fresh.LoadedAt) < MaxAge)
        {
            return fresh.Catalog;
        }

        await loading.WaitAsync(ct);
        try
        {
            if (current is { } loaded && time.GetElapsedTime(loaded.LoadedAt) < MaxAge)
            {
                return loaded.Catalog;
            }

            // The caller's context, not a new scope: a request already holds a pooled connection,
            // and waiting for a second one while holding it could exhaust the pool.
            var catalog = new CatalogSnapshot(
                await db.Plans.AsNoTracking().ToDictionaryAsync(p => p.Id, ct),
                await db.Models.AsNoTracking().ToDictionaryAsync(m => m.Id, ct));
            current = (catalog, time.GetTimestamp());
            return catalog;
        }
        finally
        {
            loading.Release();
        }
    }
}
