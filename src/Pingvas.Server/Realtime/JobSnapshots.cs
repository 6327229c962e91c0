using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Generation;
using Pingvas.Server.Jobs;

namespace Pingvas.Server.Realtime;

/// <summary>
/// The current state of a user's jobs, for a client that may have missed events: one that just
/// (re)connected to the hub, or whose API instance's listener was down. Events are states, not
/// deltas, so sending the current state is enough: every queued or running job, plus the jobs that
/// finished since a moment the client names (or the last few minutes). A final state is final: a
/// client ignores anything older it hears for that job afterwards.
/// </summary>
public sealed class JobSnapshots(PingvasDb db, GenerationService generations)
{
    /// <summary>At most this many jobs per snapshot, the newest.</summary>
    public const int Limit = 200;

    /// <summary>How far back a snapshot looks for finished jobs when the client does not say.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(5);

    /// <summary>The furthest back a client may ask for.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromHours(24);

    public async Task<List<GenerationDto>> ForUserAsync(Guid userId, DateTime finishedSince, CancellationToken ct)
    {
        var jobs = await db.Jobs.AsNoTracking()
            .Where(j => j.UserId == userId
                && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running || j.FinishedAt >= finishedSince))
            .OrderByDescending(j => j.Id)
            .Take(Limit)
            .ToListAsync(ct);

        // Oldest first, as they would have arrived.
        jobs.Reverse();
        return await generations.GetDtosAsync(jobs, ct);
    }
}
