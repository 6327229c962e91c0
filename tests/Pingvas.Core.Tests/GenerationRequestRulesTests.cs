using Pingvas.Core.Generation;
using Pingvas.Core.Plans;

namespace Pingvas.Core.Tests;

public class GenerationRequestRulesTests
{
    private static readonly GenerationParameters Valid = new(
        Prompt: "a lighthouse at dusk, oil painting",
        NegativePrompt: "blurry",
        Model: "sd15",
        Width: 512,
        Height: 512,
        Steps: 20,
        CfgScale: 7,
        Scheduler: "euler_a",
        BatchSize: 1);

    private static IReadOnlyList<RuleViolation> Check(
        GenerationParameters p,
        ModelProfile? model = null,
        PlanEntitlements? plan = null,
        bool unknownModel = false) =>
        GenerationRequestRules.Check(p, unknownModel ? null : model ?? TestCatalog.Sd15, plan ?? TestCatalog.Free);

    private static RuleViolation Single(IReadOnlyList<RuleViolation> violations, RuleViolationKind kind, string field)
    {
        var violation = Assert.Single(violations);
        Assert.Equal(kind, violation.Kind);
        Assert.Equal(field, violation.Field);
        Assert.False(string.IsNullOrWhiteSpace(violation.Message));
        return violation;
    }

    [Fact]
    public void Valid_request_has_no_violations()
    {
        Assert.Empty(Check(Valid));
    }

    [Fact]
    public void Every_plan_accepts_its_own_maximums()
    {
        PlanEntitlements[] plans = [TestCatalog.Free, TestCatalog.Starter, TestCatalog.Pro, TestCatalog.Studio, TestCatalog.Enterprise];
        foreach (var plan in plans)
        {
            var p = Valid with { Width = plan.MaxSide, Height = plan.MaxSide, BatchSize = plan.MaxBatch, Steps = 150 };
            Assert.Empty(Check(p, plan: plan));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t\n ")]
    public void Empty_or_blank_prompt_is_invalid(string prompt)
    {
        Single(Check(Valid with { Prompt = prompt }), RuleViolationKind.Invalid, "prompt");
    }

    [Fact]
    public void Null_prompt_is_invalid()
    {
        Single(Check(Valid with { Prompt = null! }), RuleViolationKind.Invalid, "prompt");
    }

    [Fact]
    public void Prompt_of_2000_characters_is_accepted_and_2001_rejected()
    {
        Assert.Empty(Check(Valid with { Prompt = new string('a', 2_000) }));
        Single(Check(Valid with { Prompt = new string('a', 2_001) }), RuleViolationKind.Invalid, "prompt");
    }

    [Fact]
    public void Negative_prompt_is_optional_and_limited_to_2000_characters()
    {
        Assert.Empty(Check(Valid with { NegativePrompt = null }));
        Assert.Empty(Check(Valid with { NegativePrompt = "" }));
        Assert.Empty(Check(Valid with { NegativePrompt = new string('n', 2_000) }));
        Single(Check(Valid with { NegativePrompt = new string('n', 2_001) }), RuleViolationKind.Invalid, "negativePrompt");
    }

    [Theory]
    [InlineData(513)]
    [InlineData(516)]
    [InlineData(60)]
    [InlineData(56)]
    [InlineData(0)]
    [InlineData(-64)]
    public void Width_not_a_multiple_of_8_or_below_64_is_invalid(int width)
    {
        Single(Check(Valid with { Width = width }), RuleViolationKind.Invalid, "width");
    }

    [Theory]
    [InlineData(513)]
    [InlineData(63)]
    [InlineData(56)]
    public void Height_not_a_multiple_of_8_or_below_64_is_invalid(int height)
    {
        Single(Check(Valid with { Height = height }), RuleViolationKind.Invalid, "height");
    }

    [Fact]
    public void Smallest_side_is_64()
    {
        Assert.Empty(Check(Valid with { Width = 64, Height = 64 }));
        Assert.Empty(Check(Valid with { Width = 72, Height = 1024 }));
    }

    [Fact]
    public void Both_bad_sides_are_reported()
    {
        var violations = Check(Valid with { Width = 100, Height = 30 });

        Assert.Equal(["width", "height"], violations.Select(v => v.Field));
        Assert.All(violations, v => Assert.Equal(RuleViolationKind.Invalid, v.Kind));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(151)]
    [InlineData(1000)]
    public void Steps_outside_1_to_150_are_invalid(int steps)
    {
        Single(Check(Valid with { Steps = steps }), RuleViolationKind.Invalid, "steps");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(150)]
    public void Steps_at_the_bounds_are_accepted(int steps)
    {
        Assert.Empty(Check(Valid with { Steps = steps }));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(30.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Cfg_scale_outside_0_to_30_is_invalid(double cfg)
    {
        Single(Check(Valid with { CfgScale = cfg }), RuleViolationKind.Invalid, "cfgScale");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1.5)]
    [InlineData(30)]
    public void Cfg_scale_within_bounds_is_accepted(double cfg)
    {
        Assert.Empty(Check(Valid with { CfgScale = cfg }));
    }

    [Theory]
    [InlineData("euler")]
    [InlineData("euler_a")]
    [InlineData("dpmpp_2m")]
    [InlineData("dpmpp_2m_k")]
    [InlineData("dpmpp_sde")]
    [InlineData("ddim")]
    [InlineData("lms")]
    [InlineData("heun")]
    public void Known_schedulers_are_accepted(string scheduler)
    {
        Assert.Empty(Check(Valid with { Scheduler = scheduler }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("karras")]
    [InlineData("Euler")]
    [InlineData("euler ")]
    public void Unknown_scheduler_is_invalid(string scheduler)
    {
        var violation = Single(Check(Valid with { Scheduler = scheduler }), RuleViolationKind.Invalid, "scheduler");
        Assert.Contains("euler_a", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_model_is_invalid()
    {
        var violation = Single(Check(Valid with { Model = "sd99" }, unknownModel: true), RuleViolationKind.Invalid, "model");
        Assert.Contains("sd99", violation.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Batch_below_one_is_invalid(int batch)
    {
        Single(Check(Valid with { BatchSize = batch }), RuleViolationKind.Invalid, "batchSize");
    }

    [Fact]
    public void Model_above_the_plan_rank_is_forbidden()
    {
        var violation = Single(
            Check(Valid with { Model = "sdxl", Width = 1024, Height = 1024 }, TestCatalog.Sdxl, TestCatalog.Free),
            RuleViolationKind.ModelForbidden,
            "model");
        Assert.Contains("sdxl", violation.Message, StringComparison.Ordinal);
        Assert.Contains("free", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_entitlement_follows_plan_rank()
    {
        Assert.Empty(Check(Valid with { Model = "sdxl" }, TestCatalog.Sdxl, TestCatalog.Starter));
        Single(Check(Valid with { Model = "flux-dev" }, TestCatalog.Flux, TestCatalog.Starter), RuleViolationKind.ModelForbidden, "model");
        Assert.Empty(Check(Valid with { Model = "flux-dev" }, TestCatalog.Flux, TestCatalog.Pro));
        Single(Check(Valid with { Model = "nano-banana" }, TestCatalog.NanoBanana, TestCatalog.Starter), RuleViolationKind.ModelForbidden, "model");
        Assert.Empty(Check(Valid with { Model = "nano-banana" }, TestCatalog.NanoBanana, TestCatalog.Studio));
        Assert.Empty(Check(Valid with { Model = "nano-banana" }, TestCatalog.NanoBanana, TestCatalog.Enterprise));
    }

    [Fact]
    public void Long_side_over_the_plan_maximum_is_a_plan_limit()
    {
        Assert.Empty(Check(Valid with { Width = 1024, Height = 576 }));
        Single(Check(Valid with { Width = 1032, Height = 576 }), RuleViolationKind.PlanLimit, "width");
        Single(Check(Valid with { Width = 576, Height = 1032 }), RuleViolationKind.PlanLimit, "height");
        Single(Check(Valid with { Width = 2048, Height = 2048 }), RuleViolationKind.PlanLimit, "width");

        Assert.Empty(Check(Valid with { Width = 1536, Height = 1024 }, plan: TestCatalog.Starter));
        Single(Check(Valid with { Width = 2048, Height = 1024 }, plan: TestCatalog.Starter), RuleViolationKind.PlanLimit, "width");
        Single(Check(Valid with { Width = 2056, Height = 1024 }, plan: TestCatalog.Studio), RuleViolationKind.PlanLimit, "width");
        Assert.Empty(Check(Valid with { Width = 4096, Height = 4096 }, plan: TestCatalog.Enterprise));
        Single(Check(Valid with { Width = 4104, Height = 512 }, plan: TestCatalog.Enterprise), RuleViolationKind.PlanLimit, "width");
    }

    [Fact]
    public void Batch_over_the_plan_maximum_is_a_plan_limit()
    {
        var violation = Single(Check(Valid with { BatchSize = 2 }), RuleViolationKind.PlanLimit, "batchSize");
        Assert.Contains("free", violation.Message, StringComparison.Ordinal);

        Assert.Empty(Check(Valid with { BatchSize = 4 }, plan: TestCatalog.Starter));
        Single(Check(Valid with { BatchSize = 5 }, plan: TestCatalog.Starter), RuleViolationKind.PlanLimit, "batchSize");
        Single(Check(Valid with { BatchSize = 9 }, plan: TestCatalog.Pro), RuleViolationKind.PlanLimit, "batchSize");
        Assert.Empty(Check(Valid with { BatchSize = 16 }, plan: TestCatalog.Enterprise));
        Single(Check(Valid with { BatchSize = 17 }, plan: TestCatalog.Enterprise), RuleViolationKind.PlanLimit, "batchSize");
    }

    [Fact]
    public void All_plan_violations_are_reported_together()
    {
        var violations = Check(Valid with { Model = "sdxl", Width = 2048, Height = 1024, BatchSize = 4 }, TestCatalog.Sdxl, TestCatalog.Free);

        Assert.Equal(
            [(RuleViolationKind.ModelForbidden, "model"), (RuleViolationKind.PlanLimit, "width"), (RuleViolationKind.PlanLimit, "batchSize")],
            violations.Select(v => (v.Kind, v.Field)));
    }

    [Fact]
    public void Malformed_input_is_reported_and_plan_checks_are_skipped()
    {
        // Forbidden model, too-large image and batch for Free, but also a blank prompt and a bad scheduler.
        var violations = Check(
            Valid with { Prompt = "", Model = "sdxl", Width = 2048, Height = 2048, BatchSize = 8, Scheduler = "nope" },
            TestCatalog.Sdxl,
            TestCatalog.Free);

        Assert.Equal(["prompt", "scheduler"], violations.Select(v => v.Field));
        Assert.All(violations, v => Assert.Equal(RuleViolationKind.Invalid, v.Kind));
    }

    [Fact]
    public void Unknown_model_skips_plan_checks()
    {
        var violations = Check(Valid with { Model = "nope", BatchSize = 8 }, unknownModel: true);

        Single(violations, RuleViolationKind.Invalid, "model");
    }

    [Fact]
    public void Every_malformed_field_is_reported_in_order()
    {
        var violations = Check(
            new GenerationParameters(" ", new string('x', 2_001), "nope", 10, 11, 0, -1, "x", 0),
            unknownModel: true);

        Assert.Equal(
            ["prompt", "negativePrompt", "model", "width", "height", "steps", "cfgScale", "scheduler", "batchSize"],
            violations.Select(v => v.Field));
        Assert.All(violations, v => Assert.Equal(RuleViolationKind.Invalid, v.Kind));
    }
}
