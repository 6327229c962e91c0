using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Jobs;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Generation;

/// <summary>What a submit of this request would cost and whether it would be taken now.</summary>
/// <param name="Credits">The credits it would reserve; null when it is refused before it can be priced.</param>
/// <param name="Refusal">Why a submit would be refused now (the same outcome <see cref="GenerationService.SubmitAsync"/> gives), or null.</param>
public sealed record GenerationEstimate(int? Credits, SubmitOutcome? Refusal)
{
    public bool Allowed => Refusal is null;
}

public sealed partial class GenerationService
{
    /// <summary>
    /// Runs the submit's checks and prices the request without writing anything: no job, no hold,
    /// no ledger entry, no lock on the owner (a price shown while typing may be a moment stale).
    /// </summary>
    public async Task<GenerationEstimate> EstimateAsync(Guid userId, GenerationRequest request, CancellationToken ct)
    {
        if (IsWorkflow(request))
        {
            return await EstimateWorkflowAsync(userId, request, ct);
        }

        if (request.Seed is < 0 or > uint.MaxValue)
        {
            return new GenerationEstimate(null, Invalid("seed", $"seed must be between 0 and {uint.MaxValue}."));
        }

        var (kind, kindErrors) = GenerationKinds.Read(request);
        if (kindErrors.Count > 0)
        {
            return new GenerationEstimate(null, new SubmitOutcome.Invalid(kindErrors));
        }

        var catalog = await catalogs.GetAsync(db, ct);
        var available = await availability.GetAsync(db, tenant, ct);
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, ct);
        var (problem, accepted, plan) = await CheckAsync(user, request, kind, catalog, available, ct);
        if (problem is not null)
        {
            return new GenerationEstimate(null, problem);
        }

        var estimate = accepted.Estimate;
        var outputBytes = StorageQuota.EstimateBytes(accepted.Parameters.Width, accepted.Parameters.Height, accepted.Parameters.BatchSize);
        if (StorageRefusal(user, plan, outputBytes) is { } full)
        {
            return new GenerationEstimate(estimate, full);
        }

        var queued = await db.Jobs.CountAsync(j => j.UserId == userId && j.Status == JobStatus.Queued, ct);
        if (queued >= options.Value.MaxQueuedPerUser)
        {
            return new GenerationEstimate(estimate, new SubmitOutcome.Refused(SubmitRefusal.QueueLimit,
                $"You have {queued} generations waiting; wait for some to finish (limit {options.Value.MaxQueuedPerUser})."));
        }

        if (plan.MonthlyCredits is null)
        {
            return new GenerationEstimate(estimate, null);
        }

        var balance = await ledger.BalanceAsync(userId, ct);
        return balance.Balance >= estimate
            ? new GenerationEstimate(estimate, null)
            : new GenerationEstimate(estimate, new SubmitOutcome.ShortOfCredits(estimate, balance.Balance));
    }
}
