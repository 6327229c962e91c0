using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Gallery;

/// <summary>
/// Purges images that have been in the trash longer than <see cref="ImageDto.TrashKeeps"/> (30 days), with
/// their objects: user by user, each under the owner's lock (<see cref="Trash.PurgeAsync"/>), skipping
/// images a waiting or running job still needs until it ends. Idempotent, so every serving process may run it.
/// </summary>
public sealed class TrashPurge(IServiceScopeFactory scopes, GalleryOptions options, TimeProvider time, ILogger<TrashPurge> logger)
    : PeriodicChore(scopes, time, logger)
{
    protected override TimeSpan Interval => options.PurgeInterval;

    /// <summary>Returns how many images it purged.</summary>
    protected override async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<PingvasDb>();
        var trash = services.GetRequiredService<Trash>();
        var cutoff = Time.GetUtcNow().UtcDateTime - ImageDto.TrashKeeps;
        var owners = await db.Images.IgnoreQueryFilters().AsNoTracking().Where(i => i.DeletedAt != null && i.DeletedAt < cutoff)
            .Select(i => i.UserId).Distinct().ToListAsync(ct);
        var purged = 0;
        foreach (var owner in owners)
        {
            try
            {
                purged += await trash.PurgeAsync(owner, cutoff, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One user's failure must not keep the others' trash: it is tried again next run.
                logger.LogWarning(ex, "Could not purge the trash of user {UserId}", owner);
            }
        }

        return purged;
    }
}
