using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Data;
using Pingvas.Server.Hosting;
using Pingvas.Server.Storage;

namespace Pingvas.Server.YourData;

/// <summary>
/// Deletes the ZIP of every export whose 7 days are over and marks it <c>expired</c>: the object
/// first, then the row, so a storage error leaves the export to the next run rather than a ZIP
/// nobody knows about.
/// </summary>
public sealed class ExportExpiry(IServiceScopeFactory scopes, TimeProvider time, IOptions<YourDataOptions> options, ILogger<ExportExpiry> logger)
    : PeriodicChore(scopes, time, logger)
{
    private const int Batch = 100;

    protected override TimeSpan Interval => TimeSpan.FromMinutes(options.Value.ExpiryIntervalMinutes);

    protected override async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<PingvasDb>();
        var store = services.GetRequiredService<IObjectStore>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var handled = 0;
        while (true)
        {
            var due = await db.DataExports.Where(e => e.Status == ExportStatus.Ready && e.ExpiresAt <= now)
                .OrderBy(e => e.Id).Take(Batch).ToListAsync(ct);
            foreach (var export in due)
            {
                if (export.ObjectKey is not null)
                {
                    await store.DeleteAsync(export.ObjectKey, ct);
                }

                (export.Status, export.ObjectKey) = (ExportStatus.Expired, null);
            }

            await db.SaveChangesAsync(ct);
            handled += due.Count;
            if (due.Count < Batch)
            {
                return handled;
            }
        }
    }
}
