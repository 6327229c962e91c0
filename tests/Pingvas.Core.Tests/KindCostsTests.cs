using Pingvas.Core.Generation;
using Pingvas.Core.Plans;

namespace Pingvas.Core.Tests;

/// <summary>The reservation of img2img/inpaint (steps × strength) and upscale (output megapixels), and the rules an upscale skips.</summary>
public class KindCostsTests
{
    [Theory]
    [InlineData(40, 0.5, 20)]
    [InlineData(25, 0.75, 19)] // 18.75 → 19
    [InlineData(30, 0.1, 3)]
    [InlineData(30, 0.0, 1)] // never less than one step
    [InlineData(10, 1.0, 10)]
    [InlineData(10, 0.3, 3)] // 3.0000000000000004 is 3, not 4
    public void Img2img_denoises_the_strength_share_of_the_steps(int steps, double strength, int expected)
    {
        Assert.Equal(expected, KindCosts.StepsAfterStrength(steps, strength));
    }

    [Fact]
    public void Img2img_costs_what_txt2img_of_the_reduced_steps_costs()
    {
        // 0.5 + 0.4 × 20 × 0.262144 = 2.597 → 3, where 40 full steps cost 5.
        Assert.Equal(3, KindCosts.ImageToImage(TestCatalog.Sd15, 512, 512, 40, 0.5, 1));
        Assert.Equal(5, Credits.CostEstimator.Estimate(TestCatalog.Sd15, 512, 512, 40, 1));
        Assert.Equal(6, KindCosts.ImageToImage(TestCatalog.Sd15, 512, 512, 40, 0.5, 2));
    }

    [Theory]
    [InlineData(1024, 1024, 3)] // 0.5 + 2 × 1.048576 = 2.597
    [InlineData(2048, 2048, 9)] // 0.5 + 2 × 4.194304 = 8.889
    [InlineData(128, 128, 1)]
    public void Upscale_costs_base_seconds_plus_two_per_output_megapixel(int width, int height, int expected)
    {
        Assert.Equal(expected, KindCosts.Upscale(TestCatalog.Sd15, width, height));
    }

    [Fact]
    public void An_external_model_upscale_costs_its_flat_rate()
    {
        Assert.Equal(20, KindCosts.Upscale(TestCatalog.NanoBanana, 2048, 2048));
    }

    [Fact]
    public void An_upscale_skips_the_side_rules_and_the_prompt_but_keeps_the_others()
    {
        var upscale = new GenerationParameters("", null, "sd15", 100, 150, 4, 7, "euler", 1);
        Assert.Empty(GenerationRequestRules.Check(upscale, TestCatalog.Sd15, TestCatalog.Free, sizeFromInput: true));
        Assert.Contains(GenerationRequestRules.Check(upscale, TestCatalog.Sd15, TestCatalog.Free), v => v.Field == "width");
        Assert.Contains(GenerationRequestRules.Check(upscale with { Scheduler = "nope" }, TestCatalog.Sd15, TestCatalog.Free, sizeFromInput: true), v => v.Field == "scheduler");
        Assert.Contains(GenerationRequestRules.Check(upscale with { Model = "sdxl" }, TestCatalog.Sdxl, TestCatalog.Free, sizeFromInput: true), v => v.Kind == RuleViolationKind.ModelForbidden);
    }

    [Fact]
    public void Plan_features_are_read_from_the_comma_separated_list()
    {
        Assert.True(PlanFeatures.Has("generate,canvas,upscale", PlanFeatures.Canvas));
        Assert.True(PlanFeatures.Has("generate, upscale", PlanFeatures.Upscale));
        Assert.False(PlanFeatures.Has("generate", PlanFeatures.Canvas));
        Assert.False(PlanFeatures.Has("generate,canvasx", PlanFeatures.Canvas));
    }
}
