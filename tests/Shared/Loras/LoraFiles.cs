using System.Text;
using System.Text.Json.Nodes;

namespace Pingvas.Testing.Loras;

/// <summary>
/// Small LoRA files as trainers write them (kohya, diffusers/PEFT, BFL Flux), one per family, and
/// broken ones, one per way the format can break. Rank 4, F16, a few kilobytes each.
/// </summary>
public static class LoraFiles
{
    /// <summary>kohya SD 1.x: one text encoder (<c>lora_te_</c>), diffusers unet names, 768-wide cross-attention.</summary>
    public static SafetensorsBuilder Sd1Builder(int seed = 1) => new SafetensorsBuilder { Seed = seed }
        .Pair("lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k", 768, 320)
        .Pair("lora_te_text_model_encoder_layers_0_self_attn_q_proj", 768, 768)
        .Metadata("ss_base_model_version", "sd_v1")
        .Metadata("ss_network_dim", "4");

    /// <summary>kohya SDXL: two text encoders (<c>lora_te1_</c>/<c>lora_te2_</c>), LDM unet names, 2048-wide cross-attention.</summary>
    public static SafetensorsBuilder SdxlBuilder(int seed = 1) => new SafetensorsBuilder { Seed = seed }
        .Pair("lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k", 2048, 640)
        .Pair("lora_te1_text_model_encoder_layers_0_self_attn_q_proj", 768, 768)
        .Pair("lora_te2_text_model_encoder_layers_0_self_attn_q_proj", 1280, 1280)
        .Metadata("ss_base_model_version", "sdxl_base_v1-0")
        .Metadata("modelspec.architecture", "stable-diffusion-xl-v1-base/lora");

    /// <summary>kohya Flux: double- and single-stream blocks.</summary>
    public static SafetensorsBuilder FluxBuilder(int seed = 1) => new SafetensorsBuilder { Seed = seed }
        .Pair("lora_unet_double_blocks_0_img_attn_proj", 3072, 3072)
        .Pair("lora_unet_single_blocks_0_linear2", 3072, 3072)
        .Metadata("ss_base_model_version", "flux1")
        .Metadata("modelspec.architecture", "flux-1-dev/lora");

    public static byte[] Sd1(int seed = 1) => Sd1Builder(seed).Build();

    public static byte[] Sdxl(int seed = 1) => SdxlBuilder(seed).Build();

    public static byte[] Flux(int seed = 1) => FluxBuilder(seed).Build();

    /// <summary>A valid LoRA of <paramref name="family"/> (<c>sd1</c>, <c>sdxl</c>, <c>flux</c>).</summary>
    public static byte[] Of(string family, int seed = 1) => family switch
    {
        "sd1" => Sd1(seed),
        "sdxl" => Sdxl(seed),
        "flux" => Flux(seed),
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "sd1, sdxl or flux"),
    };

    /// <summary>diffusers/PEFT SD 1.x: <c>unet.…lora_A/lora_B</c>, no metadata.</summary>
    public static byte[] PeftSd1() => new SafetensorsBuilder()
        .Tensor("unet.down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.lora_A.weight", [4, 768])
        .Tensor("unet.down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.lora_B.weight", [320, 4])
        .Build();

    /// <summary>diffusers/PEFT SDXL: a second text encoder and two-deep transformer blocks.</summary>
    public static byte[] PeftSdxl() => new SafetensorsBuilder()
        .Tensor("unet.down_blocks.1.attentions.0.transformer_blocks.1.attn2.to_k.lora_A.weight", [4, 2048])
        .Tensor("unet.down_blocks.1.attentions.0.transformer_blocks.1.attn2.to_k.lora_B.weight", [640, 4])
        .Tensor("text_encoder_2.text_model.encoder.layers.0.self_attn.q_proj.lora_A.weight", [4, 1280])
        .Tensor("text_encoder_2.text_model.encoder.layers.0.self_attn.q_proj.lora_B.weight", [1280, 4])
        .Build();

    /// <summary>diffusers Flux: <c>transformer.single_transformer_blocks</c>, PEFT weights.</summary>
    public static byte[] DiffusersFlux() => new SafetensorsBuilder()
        .Tensor("transformer.single_transformer_blocks.0.attn.to_q.lora_A.weight", [4, 3072])
        .Tensor("transformer.single_transformer_blocks.0.attn.to_q.lora_B.weight", [3072, 4])
        .Build();

    /// <summary>BFL Flux: <c>diffusion_model.double_blocks</c>, PEFT weights.</summary>
    public static byte[] BflFlux() => new SafetensorsBuilder()
        .Tensor("diffusion_model.double_blocks.0.img_attn.proj.lora_A.weight", [4, 3072])
        .Tensor("diffusion_model.double_blocks.0.img_attn.proj.lora_B.weight", [3072, 4])
        .Build();

    /// <summary>SD 1.x names whose metadata claims SDXL: the names win.</summary>
    public static byte[] Sd1ClaimingSdxl() => Sd1Builder().Metadata("ss_base_model_version", "sdxl_base_v1-0").Build();

    /// <summary>SD 2.x: SD 1.x names, 1024-wide cross-attention; not a family we serve.</summary>
    public static byte[] Sd2() => new SafetensorsBuilder()
        .Pair("lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k", 1024, 320)
        .Metadata("ss_base_model_version", "sd_v2")
        .Build();

    /// <summary>LoRA weights under names of no known model, no metadata.</summary>
    public static byte[] UnknownFamily() => new SafetensorsBuilder()
        .Pair("some_custom_net_layer_0", 64, 64)
        .Build();

    /// <summary>LoRA weights under names of no known model, with kohya metadata saying SDXL.</summary>
    public static byte[] UnknownNamesSdxlMetadata() => new SafetensorsBuilder()
        .Pair("some_custom_net_layer_0", 64, 64)
        .Metadata("ss_base_model_version", "sdxl_base_v1-0")
        .Build();

    /// <summary>A (tiny) full checkpoint: valid safetensors, no LoRA tensor.</summary>
    public static byte[] NotALora() => new SafetensorsBuilder()
        .Tensor("model.diffusion_model.input_blocks.0.0.weight", [8, 4, 3, 3])
        .Tensor("model.diffusion_model.input_blocks.0.0.bias", [8])
        .Build();

    /// <summary>An SD 1.x LoRA with kohya's tag table over two dataset folders.</summary>
    public static byte[] Sd1WithTags(string tagFrequencyJson) => Sd1Builder().Metadata("ss_tag_frequency", tagFrequencyJson).Build();

    /// <summary>A valid SD 1.x LoRA of exactly <paramref name="bytes"/> bytes (at least a few hundred): a padding tensor, and spaces after the header JSON (the format allows them) for an odd byte.</summary>
    public static byte[] Sd1OfSize(long bytes, int seed = 1)
    {
        // The pad tensor's size and the header's length depend on each other: settle in a few passes.
        var padElements = 1L;
        for (var pass = 0; pass < 6; pass++)
        {
            var builder = Sd1Builder(seed).Tensor("lora_unet_mid_block_attentions_0_proj_in.lora_up.weight", [padElements]);
            var header = Encoding.UTF8.GetBytes(builder.Header().ToJsonString());
            var missing = bytes - (8 + header.Length + builder.DataLength);
            if (missing is 0 or 1)
            {
                return builder.Build([.. header, .. Enumerable.Repeat((byte)' ', (int)missing)], builder.DataLength);
            }

            padElements += (long)Math.Floor(missing / 2.0);
            if (padElements < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "Too small for an SD 1.x LoRA.");
            }
        }

        throw new InvalidOperationException($"Could not make a LoRA of exactly {bytes} bytes.");
    }

    /// <summary>Each way a .safetensors file breaks, with a word of its reason (as the parser words it).</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes, string Reason)> Broken()
    {
        var good = Sd1Builder();
        var file = good.Build();
        var header = Encoding.UTF8.GetBytes(good.Header().ToJsonString());

        var f64 = Sd1Builder();
        f64.Tensor("lora_unet_extra.lora_up.weight", [2], "F64");

        var mismatch = good.Header();
        Offsets(mismatch, 0)[1] = Offsets(mismatch, 0)[1]!.GetValue<long>() - 2;

        var overlap = good.Header();
        Offsets(overlap, 1)[0] = Offsets(overlap, 1)[0]!.GetValue<long>() - 2;
        Offsets(overlap, 1)[1] = Offsets(overlap, 1)[1]!.GetValue<long>() - 2;

        var hole = good.Header();
        ShiftFrom(hole, 1, 2);

        var notFromZero = good.Header();
        ShiftFrom(notFromZero, 0, 2);

        return
        [
            ("zero header length", good.Build(header, good.DataLength, 0), "header length is 0"),
            ("header length over 100 MB", good.Build(header, good.DataLength, 100_000_001), "limit"),
            ("header length beyond the file", good.Build(header, good.DataLength, (ulong)(file.Length)), "longer than the rest"),
            ("shorter than 8 bytes", file[..5], "shorter than the 8-byte"),
            ("header not JSON", good.Build(Encoding.UTF8.GetBytes("{\"not json"), 0), "not valid UTF-8 JSON"),
            ("header not UTF-8", good.Build([0x7b, 0xff, 0xfe, 0x7d], 0), "not valid UTF-8 JSON"),
            ("header a JSON array", good.Build(Encoding.UTF8.GetBytes("[1,2,3]"), 0), "not an object"),
            ("unsupported dtype", f64.Build(), "unsupported dtype F64"),
            ("offsets do not match the shape", good.Build(mismatch, good.DataLength), "data_offsets span"),
            ("overlapping tensors", good.Build(overlap, good.DataLength), "overlaps"),
            ("hole between tensors", good.Build(hole, good.DataLength + 2), "hole"),
            ("data not starting at 0", good.Build(notFromZero, good.DataLength + 2), "hole"),
            ("truncated", file[..^3], "truncated"),
            ("trailing data", [.. file, 1, 2, 3], "trailing data"),
        ];
    }

    /// <summary>The <c>lora_down</c>/<c>lora_up</c>/<c>alpha</c> triple kohya writes for one layer.</summary>
    private static SafetensorsBuilder Pair(this SafetensorsBuilder builder, string layer, long inFeatures, long outFeatures) => builder
        .Tensor($"{layer}.alpha", [])
        .Tensor($"{layer}.lora_down.weight", [4, inFeatures])
        .Tensor($"{layer}.lora_up.weight", [outFeatures, 4]);

    private static JsonArray Offsets(JsonObject header, int tensorIndex) =>
        header.Where(p => p.Key != "__metadata__").ElementAt(tensorIndex).Value!["data_offsets"]!.AsArray();

    private static void ShiftFrom(JsonObject header, int fromIndex, long by)
    {
        var count = header.Count(p => p.Key != "__metadata__");
        for (var i = fromIndex; i < count; i++)
        {
            var offsets = Offsets(header, i);
            offsets[0] = offsets[0]!.GetValue<long>() + by;
            offsets[1] = offsets[1]!.GetValue<long>() + by;
        }
    }
}
