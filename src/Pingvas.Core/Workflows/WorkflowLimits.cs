namespace Pingvas.Core.Workflows;

/// <summary>
/// <c>Workflows:Limits</c>: what one workflow run may ask of a GPU. Outputs and sizes are further
/// bounded by the plan (<c>MaxBatch</c>, <c>MaxSide</c>), which the caller passes in.
/// </summary>
public sealed class WorkflowLimits
{
    public int MaxNodes { get; set; } = 150;

    public int MaxEdges { get; set; } = 400;

    /// <summary>Denoise steps over all denoise nodes (each counted after its start/end share).</summary>
    public int MaxTotalSteps { get; set; } = 300;
}
