using System.Text.Json.Nodes;

namespace Pingvas.Core.Workflows;

/// <summary>What a plain chain amounts to as an ordinary job: <see cref="Kind"/> is <c>txt2img</c>, <c>img2img</c> or <c>inpaint</c>.</summary>
public sealed record LoweredJob(
    string Kind,
    string Prompt,
    string? NegativePrompt,
    int Width,
    int Height,
    int Steps,
    double CfgScale,
    string Scheduler,
    long? Seed,
    double? Strength,
    Guid? InitImageId,
    Guid? MaskImageId);

/// <summary>
/// Lowers a workflow that is a plain chain — loader, prompts, clip skip, noise, one denoise, one
/// decode as the only output, optionally an init image encoded into the latents and a denoise mask,
/// image resizes and primitives — to the plain fields of a txt2img, img2img or inpaint job, so an
/// engine that cannot run graphs (the procedural renderer, relays) renders it. Anything else: null.
/// </summary>
public static class WorkflowLowering
{
    private static readonly HashSet<string> Plain =
    [
        "main_model_loader", "sdxl_model_loader", "flux_model_loader", "compel", "sdxl_compel_prompt", "flux_text_encoder", "clip_skip",
        "noise", "denoise_latents", "flux_denoise", "l2i", "flux_vae_decode", "i2l", "flux_vae_encode", "create_denoise_mask",
        "create_gradient_mask", "img_resize", "integer", "float", "string", "boolean", "image", "core_metadata", "metadata_item", "metadata",
    ];

    public static LoweredJob? Lower(CheckedWorkflow workflow)
    {
        var graph = workflow.Graph;
        if (graph.Nodes.Any(n => !Plain.Contains(n.Type)) || workflow.Outputs.Count != 1)
        {
            return null;
        }

        var denoises = graph.Nodes.Where(n => n.Type is "denoise_latents" or "flux_denoise").ToList();
        if (denoises.Count != 1 || graph.Node(workflow.Outputs[0]) is not { Type: "l2i" or "flux_vae_decode" } decode
            || graph.Source(decode.Id, "latents") is not { } fed || fed.Id != denoises[0].Id)
        {
            return null;
        }

        var denoise = denoises[0];
        var flux = denoise.Type == "flux_denoise";
        var prompt = PromptOf(graph, denoise.Id, flux ? "positive_text_conditioning" : "positive_conditioning");
        if (prompt is null)
        {
            return null;
        }

        var negative = PromptOf(graph, denoise.Id, flux ? "negative_text_conditioning" : "negative_conditioning");
        var noise = flux ? null : graph.Source(denoise.Id, "noise");
        var sizeNode = flux ? denoise : noise;
        if (sizeNode is null || WorkflowChecks.Integer(graph.ValueOf(sizeNode.Id, "width")) is not { } width
            || WorkflowChecks.Integer(graph.ValueOf(sizeNode.Id, "height")) is not { } height)
        {
            return null;
        }

        var pass = workflow.Denoises.Single();
        var steps = (int)(WorkflowChecks.Integer(graph.ValueOf(denoise.Id, flux ? "num_steps" : "steps")) ?? pass.Steps);
        var start = WorkflowChecks.Number(graph.ValueOf(denoise.Id, "denoising_start")) ?? 0;
        var end = WorkflowChecks.Number(graph.ValueOf(denoise.Id, "denoising_end")) ?? 1;
        if (end < 1)
        {
            return null;
        }

        var seed = WorkflowChecks.Integer(graph.ValueOf(flux ? denoise.Id : sizeNode.Id, "seed"));
        var cfg = WorkflowChecks.Number(graph.ValueOf(denoise.Id, flux ? "guidance" : "cfg_scale")) ?? 7.0;
        var scheduler = WorkflowChecks.Text(graph.ValueOf(denoise.Id, "scheduler")) ?? "euler";

        // An init image encoded into the latents makes it img2img; a denoise mask over it, inpaint.
        Guid? init = null, mask = null;
        if (graph.Source(denoise.Id, "latents") is { } latents)
        {
            if (latents.Type is not ("i2l" or "flux_vae_encode") || ImageOf(graph, latents.Id, "image") is not { } initId)
            {
                return null;
            }

            init = initId;
        }

        if (graph.Source(denoise.Id, "denoise_mask") is { } maskNode)
        {
            if (init is null || ImageOf(graph, maskNode.Id, "mask") is not { } maskId)
            {
                return null;
            }

            mask = maskId;
        }

        if (init is null && start > 0)
        {
            return null;
        }

        var kind = mask is not null ? "inpaint" : init is not null ? "img2img" : "txt2img";
        return new LoweredJob(kind, prompt, string.IsNullOrWhiteSpace(negative) ? null : negative, (int)width, (int)height, steps, cfg, scheduler, seed,
            init is null ? null : Math.Round(1 - start, 6), init, mask);
    }

    /// <summary>The prompt text of the conditioning node feeding a denoise input (through its <c>prompt</c> field).</summary>
    private static string? PromptOf(WorkflowGraph graph, string denoiseId, string field) =>
        graph.Source(denoiseId, field) is { Type: "compel" or "sdxl_compel_prompt" or "flux_text_encoder" } conditioning
            ? WorkflowChecks.Text(graph.ValueOf(conditioning.Id, "prompt")) ?? ""
            : null;

    /// <summary>The image id an image field ends at, through resizes and image primitives.</summary>
    private static Guid? ImageOf(WorkflowGraph graph, string nodeId, string field)
    {
        for (var hops = 0; hops < 16; hops++)
        {
            if (graph.Source(nodeId, field) is { } source)
            {
                if (source.Type is not ("img_resize" or "image"))
                {
                    return null;
                }

                (nodeId, field) = (source.Id, "image");
                continue;
            }

            return graph.Node(nodeId)?.Fields[field] is JsonObject o ? WorkflowInputs.ImageId(WorkflowChecks.Text(o["image_name"])) : null;
        }

        return null;
    }
}
