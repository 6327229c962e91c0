using Pingvas.Server.Accounts;
using Pingvas.Server.Catalog;
using Pingvas.Server.Storage;
using Pingvas.Server.Workflows;

namespace Pingvas.Server.Generation;

/// <summary>
/// The storage side of a submit: the job reserves what its outputs may take
/// (<see cref="StorageQuota.EstimateBytes"/>, kept in <c>jobs.reserved_bytes</c> while it waits or
/// runs), refused before any credit moves when stored + reserved + that would pass the plan's quota.
/// The submit holds the owner's lock, so two submits cannot both squeeze under it, and checks the
/// running totals of the owner's row it locked and read (no query of its own); an estimate checks
/// the row it read without a lock.
/// </summary>
public sealed partial class GenerationService
{
    private static SubmitOutcome.Refused? StorageRefusal(User owner, Plan plan, long outputBytes) =>
        StorageQuota.Check(owner, plan, outputBytes) is { } exceeded
            ? new SubmitOutcome.Refused(SubmitRefusal.StorageQuotaExceeded, exceeded.Describe("This generation"))
            : null;

    /// <summary>
    /// A graph that lowers to a plain job makes its batch at its size; any other graph's outputs are
    /// bounded only by the plan's longest side, so each is reserved at that square.
    /// </summary>
    private static long WorkflowOutputBytes(PreparedWorkflow workflow, Plan plan) =>
        workflow.Lowered is { } lowered
            ? StorageQuota.EstimateBytes(lowered.Width, lowered.Height, 1)
            : StorageQuota.EstimateBytes(plan.MaxSide, plan.MaxSide, workflow.Checked.Outputs.Count);
}
