using Pingvas.Core.Credits;
using Pingvas.Core.Plans;

namespace Pingvas.Core.Tests;

public class CostEstimatorTests
{
    [Fact]
    public void Local_estimate_is_ceiling_of_base_plus_per_step_megapixel_seconds()
    {
        // 0.5 + 0.4 × 20 × 0.262144 = 2.597152 s → 3 credits.
        Assert.Equal(3, CostEstimator.Estimate(TestCatalog.Sd15, 512, 512, 20, 1));
    }

    [Theory]
    [InlineData(1, 3)] // 2.597152
    [InlineData(2, 6)] // 5.194304
    [InlineData(4, 11)] // 10.388608: the batch multiplies the seconds, the ceiling is taken once
    [InlineData(8, 21)] // 20.777216
    public void Local_estimate_multiplies_seconds_by_batch(int batch, int expected)
    {
        Assert.Equal(expected, CostEstimator.Estimate(TestCatalog.Sd15, 512, 512, 20, batch));
    }

    [Fact]
    public void Local_estimate_uses_decimal_megapixels_of_both_sides()
    {
        // 1024 × 768 = 0.786432 MP; 1.0 + 0.8 × 30 × 0.786432 = 19.874368 → 20.
        Assert.Equal(20, CostEstimator.Estimate(TestCatalog.Sdxl, 1024, 768, 30, 1));
        Assert.Equal(20, CostEstimator.Estimate(TestCatalog.Sdxl, 768, 1024, 30, 1));
    }

    [Fact]
    public void Local_estimate_grows_with_steps_and_pixels()
    {
        var small = CostEstimator.Estimate(TestCatalog.Sd15, 512, 512, 20, 1);
        var moreSteps = CostEstimator.Estimate(TestCatalog.Sd15, 512, 512, 40, 1);
        var morePixels = CostEstimator.Estimate(TestCatalog.Sd15, 1024, 1024, 20, 1);

        Assert.True(moreSteps > small);
        Assert.True(morePixels > small);

        // 0.5 + 0.4 × 20 × 1.048576 = 8.888608 → 9.
        Assert.Equal(9, morePixels);
    }

    [Fact]
    public void Local_estimate_exact_whole_seconds_are_not_rounded_up()
    {
        // 1 + 1 × 1 × 1 = 2 s exactly (1000 × 1000 = 1 MP).
        var model = new ModelProfile("exact", ModelKind.Local, 0, 1.0, 1.0, 0);
        Assert.Equal(2, CostEstimator.Estimate(model, 1000, 1000, 1, 1));
    }

    [Fact]
    public void Local_estimate_ignores_floating_point_noise_above_a_whole_second()
    {
        // (0.1 + 0.2 × 1 step × 1 MP) × 10 = 3.0000000000000004 s in floating point.
        var model = new ModelProfile("noise", ModelKind.Local, 0, 0.1, 0.2, 0);
        Assert.Equal(3, CostEstimator.Estimate(model, 1000, 1000, 1, 10));
    }

    [Fact]
    public void Local_estimate_is_at_least_one_credit()
    {
        var free = new ModelProfile("tiny", ModelKind.Local, 0, 0, 0, 0);
        Assert.Equal(1, CostEstimator.Estimate(free, 64, 64, 1, 1));

        var fast = new ModelProfile("fast", ModelKind.Local, 0, 0.01, 0.001, 0);
        Assert.Equal(1, CostEstimator.Estimate(fast, 64, 64, 1, 1));
    }

    [Theory]
    [InlineData(1, 20)]
    [InlineData(2, 40)]
    [InlineData(4, 80)]
    [InlineData(16, 320)]
    public void External_estimate_is_credits_per_image_times_batch(int batch, int expected)
    {
        Assert.Equal(expected, CostEstimator.Estimate(TestCatalog.NanoBanana, 1024, 1024, 30, batch));
    }

    [Fact]
    public void External_estimate_ignores_size_and_steps()
    {
        Assert.Equal(20, CostEstimator.Estimate(TestCatalog.NanoBanana, 64, 64, 1, 1));
        Assert.Equal(20, CostEstimator.Estimate(TestCatalog.NanoBanana, 4096, 4096, 150, 1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Estimate_rejects_batch_below_one(int batch)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CostEstimator.Estimate(TestCatalog.Sd15, 512, 512, 20, batch));
        Assert.Throws<ArgumentOutOfRangeException>(() => CostEstimator.Estimate(TestCatalog.NanoBanana, 512, 512, 20, batch));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(999, 1)]
    [InlineData(1000, 1)]
    [InlineData(1001, 2)]
    [InlineData(1999, 2)]
    [InlineData(2000, 2)]
    [InlineData(2500, 3)]
    [InlineData(3000, 3)]
    [InlineData(3001, 4)]
    [InlineData(60_000, 60)]
    [InlineData(3_600_000, 3600)]
    public void Charge_is_ceiling_of_seconds_with_minimum_one(int milliseconds, int expected)
    {
        Assert.Equal(expected, CostEstimator.Charge(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Fact]
    public void Charge_of_fractional_seconds()
    {
        Assert.Equal(3, CostEstimator.Charge(TimeSpan.FromSeconds(2.5)));
        Assert.Equal(3, CostEstimator.Charge(TimeSpan.FromSeconds(3)));
        Assert.Equal(1, CostEstimator.Charge(TimeSpan.Zero));
    }

    [Fact]
    public void Charge_rounds_sub_millisecond_time_up()
    {
        Assert.Equal(1, CostEstimator.Charge(TimeSpan.FromTicks(1)));
        Assert.Equal(2, CostEstimator.Charge(TimeSpan.FromMilliseconds(1000) + TimeSpan.FromTicks(1)));
    }

    [Fact]
    public void Charge_of_negative_time_is_the_minimum()
    {
        Assert.Equal(1, CostEstimator.Charge(TimeSpan.FromSeconds(-5)));
    }

    [Fact]
    public void Charge_never_decreases_as_time_grows()
    {
        var previous = 0;
        for (var ms = 0; ms <= 10_000; ms += 7)
        {
            var charge = CostEstimator.Charge(TimeSpan.FromMilliseconds(ms));
            Assert.True(charge >= previous, $"{ms} ms charged {charge} after {previous}");
            Assert.True(charge >= 1);
            Assert.True(charge * 1000 >= ms, $"{ms} ms undercharged as {charge}");
            Assert.True((charge - 1) * 1000 < Math.Max(ms, 1), $"{ms} ms overcharged as {charge}");
            previous = charge;
        }
    }
}
