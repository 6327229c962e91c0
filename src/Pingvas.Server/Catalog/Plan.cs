using Pingvas.Core.Plans;

namespace Pingvas.Server.Catalog;

/// <summary>A subscription plan (PRODUCT.md §2). Seeded by migration, editable by admins.</summary>
public sealed class Plan
{
    public required string Id { get; set; }

    public required string Name { get; set; }

    /// <summary>Order from Free (0) upwards; a model's minimum plan compares ranks.</summary>
    public int Rank { get; set; }

    public int? MonthlyPriceCents { get; set; }

    public int? AnnualPriceCents { get; set; }

    /// <summary>null = unlimited (Enterprise).</summary>
    public int? MonthlyCredits { get; set; }

    public long? StorageBytes { get; set; }

    /// <summary>null = unlimited.</summary>
    public int? ConcurrentJobs { get; set; }

    public int QueuePriority { get; set; }

    /// <summary>0 = no API access; null = unlimited.</summary>
    public int? ApiCallsPerMonth { get; set; }

    public int MaxSide { get; set; }

    public int MaxBatch { get; set; }

    /// <summary>Comma-separated feature flags, e.g. <c>generate,canvas,upscale</c>.</summary>
    public required string Features { get; set; }

    public PlanEntitlements ToEntitlements() =>
        new(Id, Rank, QueuePriority, MonthlyCredits, ConcurrentJobs, MaxSide, MaxBatch);
}
