namespace Pingvas.Core.Plans;

/// <summary>
/// What a plan allows, as the rules need it. The catalog itself is data (seeded, admin-editable);
/// this is its read-only projection. <c>null</c> limits mean "unlimited".
/// </summary>
public sealed record PlanEntitlements(
    string Id,
    int Rank,
    int QueuePriority,
    int? MonthlyCredits,
    int? ConcurrentJobs,
    int MaxSide,
    int MaxBatch)
{
    /// <summary>Enterprise: no credit deduction, but usage is still recorded.</summary>
    public bool UnlimitedCredits => MonthlyCredits is null;
}
