using Pingvas.Core.Credits;
using Pingvas.Core.Generation;
using Pingvas.Core.Plans;

namespace Pingvas.Core.Workflows;

/// <summary>
/// A workflow's reservation with its main model's profile: each denoise pass as a one-image
/// generation of its steps (after its start/end share) at its size (unknown: the plan's largest
/// square), each spandrel upscale as <see cref="KindCosts.Upscale"/> at the plan's largest square,
/// then +15 % per ControlNet node and +10 % per IP-Adapter node.
/// </summary>
public static class WorkflowCost
{
    public const double ControlNetShare = 0.15;
    public const double IpAdapterShare = 0.10;

    public static int Estimate(CheckedWorkflow workflow, WorkflowNodeCatalog catalog, ModelProfile model, int maxSide)
    {
        if (model.Kind == ModelKind.External)
        {
            return model.CreditsPerImage * Math.Max(1, workflow.Outputs.Count);
        }

        var credits = 0;
        foreach (var pass in workflow.Denoises.Where(p => p.Steps > 0))
        {
            credits += CostEstimator.Estimate(model, (int)(pass.Width ?? maxSide), (int)(pass.Height ?? maxSide), pass.Steps, 1);
        }

        var upscales = workflow.Graph.Nodes.Count(n => n.Type == "spandrel_image_to_image");
        credits += upscales * KindCosts.Upscale(model, maxSide, maxSide);
        var extra = (ControlNetShare * workflow.Count("control", catalog, "controlnet", "flux_controlnet"))
            + (IpAdapterShare * workflow.Count("ip_adapter", catalog, "ip_adapter", "flux_ip_adapter"));
        return Math.Max(1, (int)Math.Ceiling(Math.Round(credits * (1 + extra), 6)));
    }

    private static int Count(this CheckedWorkflow workflow, string category, WorkflowNodeCatalog catalog, params string[] types) =>
        workflow.Graph.Nodes.Count(n => types.Contains(n.Type) && catalog.Nodes[n.Type].Category == category);
}
