using Pingvas.Core.Generation;

namespace Pingvas.Core.Tests.Generation;

/// <summary>Control images and a reference raise a job's reservation; LoRAs do not.</summary>
public class AddOnCostsTests
{
    [Theory]
    [InlineData(100, 0, false, 100)]
    [InlineData(100, 1, false, 115)]
    [InlineData(100, 3, false, 145)]
    [InlineData(100, 0, true, 110)]
    [InlineData(100, 2, true, 140)]
    [InlineData(10, 1, false, 12)] // 11.5 → 12: rounded up
    [InlineData(20, 0, true, 22)] // exactly 22, not 23
    [InlineData(1, 1, true, 2)]
    [InlineData(0, 1, false, 0)] // an unlimited plan's zero stays zero
    public void Each_control_image_adds_15_percent_and_a_reference_10_percent(int credits, int controls, bool reference, int expected)
    {
        Assert.Equal(expected, KindCosts.WithAddOns(credits, controls, reference));
    }

    [Fact]
    public void A_negative_count_of_control_images_is_a_bug()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KindCosts.WithAddOns(10, -1, false));
    }
}

/// <summary>The support matrix of ControlNet types and IP-Adapter per model family.</summary>
public class ControlSupportTests
{
    [Theory]
    [InlineData("sd1", "canny", true)]
    [InlineData("sd1", "depth", true)]
    [InlineData("sd1", "pose", true)]
    [InlineData("sd1", "lineart", true)]
    [InlineData("sdxl", "canny", true)]
    [InlineData("sdxl", "depth", true)]
    [InlineData("sdxl", "pose", true)]
    [InlineData("sdxl", "lineart", false)]
    [InlineData("flux", "canny", true)]
    [InlineData("flux", "depth", true)]
    [InlineData("flux", "pose", false)]
    [InlineData("flux", "lineart", false)]
    [InlineData("external", "canny", false)]
    [InlineData("sd1", "Canny", false)]
    public void Control_types_follow_the_family(string family, string type, bool supported)
    {
        Assert.Equal(supported, ControlSupport.SupportsControl(family, type));
    }

    [Theory]
    [InlineData("sd1", true)]
    [InlineData("sdxl", true)]
    [InlineData("flux", true)]
    [InlineData("external", false)]
    public void Sd1_sdxl_and_flux_take_a_reference(string family, bool supported)
    {
        Assert.Equal(supported, ControlSupport.SupportsReference(family));
    }

    [Fact]
    public void Only_the_four_types_are_known()
    {
        Assert.Equal(["canny", "depth", "pose", "lineart"], ControlSupport.Types);
        Assert.False(ControlSupport.IsKnownType("scribble"));
        Assert.Equal(["canny", "depth"], ControlSupport.ControlTypesOf("flux"));
        Assert.Empty(ControlSupport.ControlTypesOf("external"));
    }
}
