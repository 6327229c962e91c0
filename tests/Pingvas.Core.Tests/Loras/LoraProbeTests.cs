using Pingvas.Core.Loras;
using Pingvas.Testing.Loras;

namespace Pingvas.Core.Tests.Loras;

public sealed class LoraProbeTests
{
    private static LoraProbeOutcome Probe(byte[] file) => LoraProbe.Inspect(SafetensorsHeader.ParseFile(file));

    [Theory]
    [InlineData("kohya sd1", "sd1")]
    [InlineData("kohya sdxl", "sdxl")]
    [InlineData("kohya flux", "flux")]
    [InlineData("peft sd1", "sd1")]
    [InlineData("peft sdxl", "sdxl")]
    [InlineData("diffusers flux", "flux")]
    [InlineData("bfl flux", "flux")]
    [InlineData("sd1 names, sdxl metadata", "sd1")]
    [InlineData("unknown names, sdxl metadata", "sdxl")]
    public void The_family_comes_from_the_tensor_names_then_the_metadata(string file, string family)
    {
        var bytes = file switch
        {
            "kohya sd1" => LoraFiles.Sd1(),
            "kohya sdxl" => LoraFiles.Sdxl(),
            "kohya flux" => LoraFiles.Flux(),
            "peft sd1" => LoraFiles.PeftSd1(),
            "peft sdxl" => LoraFiles.PeftSdxl(),
            "diffusers flux" => LoraFiles.DiffusersFlux(),
            "bfl flux" => LoraFiles.BflFlux(),
            "sd1 names, sdxl metadata" => LoraFiles.Sd1ClaimingSdxl(),
            _ => LoraFiles.UnknownNamesSdxlMetadata(),
        };
        var detected = Assert.IsType<LoraProbeOutcome.Detected>(Probe(bytes));
        Assert.Equal(family, detected.Family);
    }

    [Fact]
    public void Kohya_flux_with_text_encoder_weights_is_still_flux()
    {
        var bytes = LoraFiles.FluxBuilder()
            .Tensor("lora_te1_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight", [4, 768])
            .Tensor("lora_te1_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight", [768, 4])
            .Build();
        Assert.Equal("flux", Assert.IsType<LoraProbeOutcome.Detected>(Probe(bytes)).Family);
    }

    [Fact]
    public void A_file_without_lora_tensors_is_not_a_lora()
    {
        Assert.Contains("full checkpoint", Assert.IsType<LoraProbeOutcome.NotALora>(Probe(LoraFiles.NotALora())).Detail, StringComparison.Ordinal);
        Assert.IsType<LoraProbeOutcome.NotALora>(Probe(new SafetensorsBuilder().Metadata("a", "b").Build()));
    }

    [Fact]
    public void Undecidable_or_unsupported_families_are_unknown()
    {
        Assert.IsType<LoraProbeOutcome.UnknownFamily>(Probe(LoraFiles.UnknownFamily()));
        Assert.Contains("SD 2.x", Assert.IsType<LoraProbeOutcome.UnknownFamily>(Probe(LoraFiles.Sd2())).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Trigger_words_are_the_ten_most_frequent_tags_over_all_folders()
    {
        var tags = """
            {"10_pingu": {"pingu": 40, "penguin": 30, "snow": 5, "ice": 4, "a": 1, "b": 1, "c": 1, "d": 1},
             "5_extra": {"penguin": 20, "beak": 9, "e": 1, "f": 1, " ": 50}}
            """;
        var detected = Assert.IsType<LoraProbeOutcome.Detected>(Probe(LoraFiles.Sd1WithTags(tags)));
        Assert.Equal(["penguin", "pingu", "beak", "snow", "ice", "a", "b", "c", "d", "e"], detected.TriggerWords);
        Assert.Equal(6, detected.TensorCount);
    }

    [Fact]
    public void Missing_or_damaged_tag_tables_give_no_trigger_words()
    {
        Assert.Empty(Assert.IsType<LoraProbeOutcome.Detected>(Probe(LoraFiles.Sd1())).TriggerWords);
        Assert.Empty(Assert.IsType<LoraProbeOutcome.Detected>(Probe(LoraFiles.Sd1WithTags("{not json"))).TriggerWords);
        var hostile = $$$"""{"d": {"nul\u0000tag": 9, "{{{new string('x', 101)}}}": 8, "ok": 1}}""";
        Assert.Equal(["ok"], Assert.IsType<LoraProbeOutcome.Detected>(Probe(LoraFiles.Sd1WithTags(hostile))).TriggerWords);
    }
}
