using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Pingvas.Testing.InvokeAi;

/// <summary>
/// Small .safetensors LoRA files laid out as InvokeAI's LoRA probe reads them (kohya tensor names):
/// the test node installs them as <c>sd-1</c>, <c>sdxl</c> or <c>flux</c> LoRAs.
/// </summary>
public static class InvokeAiTestLoras
{
    /// <summary>A LoRA of <paramref name="baseModel"/> (<c>sd-1</c>, <c>sdxl</c>, <c>flux</c>); <paramref name="salt"/> changes its bytes (and hash), not its probe.</summary>
    public static byte[] Safetensors(string baseModel, int salt = 0)
    {
        var shapes = baseModel switch
        {
            "sd-1" => new Dictionary<string, int[]>
            {
                ["lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_down.weight"] = [4, 768],
                ["lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_up.weight"] = [320, 4],
            },
            "sdxl" => new Dictionary<string, int[]>
            {
                ["lora_te1_text_model_encoder_layers_0_self_attn_k_proj.lora_down.weight"] = [4, 768],
                ["lora_te2_text_model_encoder_layers_0_self_attn_k_proj.lora_down.weight"] = [4, 1280],
            },
            "flux" => new Dictionary<string, int[]>
            {
                ["lora_unet_double_blocks_0_img_attn_proj.lora_down.weight"] = [4, 3072],
                ["lora_unet_double_blocks_0_img_attn_proj.lora_up.weight"] = [3072, 4],
            },
            _ => throw new ArgumentOutOfRangeException(nameof(baseModel), baseModel, "sd-1, sdxl or flux"),
        };
        return Build(shapes, salt);
    }

    /// <summary>A well-formed .safetensors file whose tensor names are no LoRA's (InvokeAI cannot identify it).</summary>
    public static byte[] NotALora() =>
        Build(new Dictionary<string, int[]> { ["model.diffusion_model.input_blocks.0.0.weight"] = [320, 4] }, 0);

    private static byte[] Build(Dictionary<string, int[]> shapes, int salt)
    {
        var header = new Dictionary<string, object>();
        long offset = 0;
        foreach (var (name, shape) in shapes)
        {
            long size = 2L * shape.Aggregate(1, (a, b) => a * b); // F16
            header[name] = new { dtype = "F16", shape, data_offsets = new[] { offset, offset + size } };
            offset += size;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        var padded = (json.Length + 7) / 8 * 8;
        var bytes = new byte[8 + padded + offset];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        json.CopyTo(bytes, 8);
        bytes.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8 + padded), salt);
        return bytes;
    }
}
