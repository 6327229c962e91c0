using System.Text.Json;

using Pingvas.Core.Text;

namespace Pingvas.Core.Loras;

/// <summary>What a LoRA's header says about it, or why it is not one we can use.</summary>
public abstract record LoraProbeOutcome
{
    /// <summary>A LoRA for <paramref name="Family"/> (<c>sd1</c>, <c>sdxl</c> or <c>flux</c>).</summary>
    public sealed record Detected(string Family, IReadOnlyList<string> TriggerWords, int TensorCount) : LoraProbeOutcome;

    /// <summary>No tensor has a LoRA name (400 <c>not_a_lora</c>).</summary>
    public sealed record NotALora(string Detail) : LoraProbeOutcome;

    /// <summary>A LoRA, but for no family we serve or none we can tell (400 <c>unknown_lora_family</c>).</summary>
    public sealed record UnknownFamily(string Detail) : LoraProbeOutcome;
}

/// <summary>
/// Tells a LoRA's base model family from its tensor names (the truth: they must match the model's
/// layers), falling back to kohya/modelspec metadata only when the names do not decide. The patterns
/// follow kohya-ss (<c>lora_unet_…</c>, <c>lora_te…</c>), diffusers/PEFT (<c>unet.…</c>,
/// <c>transformer.…</c>, <c>lora_A</c>/<c>lora_B</c>) and BFL Flux (<c>double_blocks</c>) naming, as
/// InvokeAI's LoRA probe reads them.
/// </summary>
public static class LoraProbe
{
    public const string Sd1 = "sd1";
    public const string Sdxl = "sdxl";
    public const string Flux = "flux";

    /// <summary>Most trigger words kept from <c>ss_tag_frequency</c>.</summary>
    public const int MaxTriggerWords = 10;

    /// <summary>Longer tags are captions, not trigger words.</summary>
    public const int MaxTriggerWordLength = 100;

    // Weight-name parts of LoRA, LoHa, LoKr and DoRA adapters in every naming scheme we read.
    private static readonly string[] AdapterMarkers =
        ["lora_up", "lora_down", "lora_A", "lora_B", "lora.up", "lora.down", "lora_mid", "hada_w", "lokr_w", "dora_scale"];

    // Flux: BFL's double/single stream blocks (kohya: lora_unet_double_blocks_), diffusers' Flux transformer.
    private static readonly string[] FluxMarkers =
        ["lora_unet_double_blocks_", "lora_unet_single_blocks_", "double_blocks.", "single_blocks.", "single_transformer_blocks", "lora_transformer_single_transformer_blocks_"];

    // SDXL: two text encoders, LDM unet names kohya uses for SDXL, diffusers' second text encoder.
    private static readonly string[] SdxlMarkers =
        ["lora_te1_", "lora_te2_", "lora_unet_input_blocks_", "lora_unet_output_blocks_", "lora_unet_middle_block_", "text_encoder_2.", "add_embedding"];

    // SD 1.x: one text encoder and diffusers unet names (kohya's lora_unet_down_blocks_, PEFT's unet.down_blocks.).
    private static readonly string[] Sd1Markers =
        ["lora_te_", "lora_unet_down_blocks_", "lora_unet_up_blocks_", "lora_unet_mid_block_", "down_blocks.", "up_blocks.", "mid_block.", "text_encoder."];

    public static LoraProbeOutcome Inspect(SafetensorsHeader header)
    {
        var adapters = header.Tensors.Where(t => IsAdapterWeight(t.Name)).ToList();
        if (adapters.Count == 0)
        {
            return new LoraProbeOutcome.NotALora(header.Tensors.Count == 0
                ? "The file holds no tensors, so it is not a LoRA."
                : $"None of its {header.Tensors.Count} tensors is a LoRA weight (lora_up/lora_down, lora_A/lora_B, LoHa, LoKr); it may be a full checkpoint or another kind of model.");
        }

        var family = FromNames(adapters) ?? FromMetadata(header.Metadata);
        return family switch
        {
            Sd1 or Sdxl or Flux => new LoraProbeOutcome.Detected(family, TriggerWords(header.Metadata), header.Tensors.Count),
            null => new LoraProbeOutcome.UnknownFamily("Its tensor names and metadata do not tell which base model it was trained for; only SD 1.x, SDXL and Flux LoRAs are supported."),
            _ => new LoraProbeOutcome.UnknownFamily($"It was trained for {family}; only SD 1.x, SDXL and Flux LoRAs are supported."),
        };
    }

    public static bool IsAdapterWeight(string name) => AdapterMarkers.Any(m => name.Contains(m, StringComparison.Ordinal));

    /// <summary>Flux beats SDXL (kohya Flux LoRAs also train CLIP-L as <c>lora_te1_</c>), SDXL beats SD 1.x (diffusers SDXL has down_blocks too).</summary>
    private static string? FromNames(List<SafetensorsTensor> adapters)
    {
        bool Any(string[] markers) => adapters.Any(t => markers.Any(m => t.Name.Contains(m, StringComparison.Ordinal)));
        if (Any(FluxMarkers))
        {
            return Flux;
        }

        // SD 1.x transformer blocks are one deep; SDXL's are 2 or 10, so a block 1 means SDXL.
        if (Any(SdxlMarkers) || adapters.Any(t => t.Name.Contains("transformer_blocks_1_", StringComparison.Ordinal) || t.Name.Contains("transformer_blocks.1.", StringComparison.Ordinal)))
        {
            return Sdxl;
        }

        if (!Any(Sd1Markers))
        {
            return null;
        }

        // The cross-attention key projection reads the text encoder's width: 768 SD 1.x, 1024 SD 2.x, 2048 SDXL.
        var toK = adapters.FirstOrDefault(t => t.Name.Contains("attn2", StringComparison.Ordinal) && t.Name.Contains("to_k", StringComparison.Ordinal)
            && (t.Name.Contains("down", StringComparison.Ordinal) || t.Name.Contains("lora_A", StringComparison.Ordinal)) && t.Shape.Count == 2);
        return toK?.Shape[1] switch
        {
            1024 => "SD 2.x",
            2048 => Sdxl,
            _ => Sd1,
        };
    }

    private static string? FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        var said = (metadata.GetValueOrDefault("ss_base_model_version") ?? "") + " " + (metadata.GetValueOrDefault("modelspec.architecture") ?? "");
        said = said.ToLowerInvariant();
        return said.Contains("flux", StringComparison.Ordinal) ? Flux
            : said.Contains("sdxl", StringComparison.Ordinal) || said.Contains("stable-diffusion-xl", StringComparison.Ordinal) ? Sdxl
            : said.Contains("sd_v2", StringComparison.Ordinal) || said.Contains("stable-diffusion-v2", StringComparison.Ordinal) ? "SD 2.x"
            : said.Contains("sd_v1", StringComparison.Ordinal) || said.Contains("stable-diffusion-v1", StringComparison.Ordinal) ? Sd1
            : null;
    }

    /// <summary>The most frequent tags over all of kohya's dataset folders; none when absent or unreadable.</summary>
    public static IReadOnlyList<string> TriggerWords(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("ss_tag_frequency", out var json))
        {
            return [];
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var order = new List<string>();
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return [];
            }

            foreach (var folder in document.RootElement.EnumerateObject().Where(f => f.Value.ValueKind == JsonValueKind.Object))
            {
                foreach (var tag in folder.Value.EnumerateObject())
                {
                    var name = tag.Name.Trim();
                    // Metadata is the uploader's text: no control characters (PostgreSQL refuses NUL), no commas (the separator).
                    if (name.Length is 0 or > MaxTriggerWordLength || name.Contains(',', StringComparison.Ordinal) || !FreeText.IsAllowed(name) || tag.Value.ValueKind != JsonValueKind.Number || !tag.Value.TryGetInt64(out var count))
                    {
                        continue;
                    }

                    if (!counts.ContainsKey(name))
                    {
                        order.Add(name);
                    }

                    counts[name] = counts.GetValueOrDefault(name) + count;
                }
            }
        }
        catch (JsonException)
        {
            // Metadata is advisory: a damaged tag table costs the trigger words, not the upload.
            return [];
        }

        return order.Select((tag, index) => (tag, index)).OrderByDescending(x => counts[x.tag]).ThenBy(x => x.index)
            .Take(MaxTriggerWords).Select(x => x.tag).ToList();
    }
}
