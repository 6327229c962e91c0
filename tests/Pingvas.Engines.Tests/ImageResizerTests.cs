using Pingvas.Engines.Imaging;

namespace Pingvas.Engines.Tests;

public sealed class ImageResizerTests
{
    [Theory]
    [InlineData(200, 100, 50, 50, 25)]
    [InlineData(100, 200, 50, 25, 50)]
    [InlineData(300, 100, 64, 64, 21)]
    [InlineData(1000, 3, 100, 100, 1)]
    [InlineData(1024, 768, 96, 96, 72)]
    public void Long_side_becomes_maxSide_and_aspect_ratio_is_kept(int width, int height, int maxSide, int expectedWidth, int expectedHeight)
    {
        var result = ImageResizer.Fit(TestImages.Gradient(width, height), maxSide);

        Assert.Equal((expectedWidth, expectedHeight), (result.Width, result.Height));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(40)]
    public void Never_upscales_and_returns_an_independent_copy(int maxSide)
    {
        var source = TestImages.Noise(40, 30, 1);

        var result = ImageResizer.Fit(source, maxSide);

        Assert.Equal((40, 30), (result.Width, result.Height));
        Assert.Equal(source.Pixels, result.Pixels);
        Assert.NotSame(source.Pixels, result.Pixels);
    }

    [Fact]
    public void Black_and_white_checker_averages_to_mid_grey()
    {
        var checker = new RgbaImage(2, 2, [0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 255]);

        var result = ImageResizer.Fit(checker, 1);

        Assert.Equal((1, 1), (result.Width, result.Height));
        Assert.All(result.Pixels[..3], c => Assert.InRange(c, (byte)127, (byte)128));
        Assert.Equal(255, result.Pixels[3]);
    }

    [Fact]
    public void Large_checkerboard_becomes_uniform_grey_instead_of_aliasing()
    {
        var image = new RgbaImage(256, 256);
        for (var i = 0; i < 256 * 256; i++)
        {
            var v = (byte)(((i % 256) + (i / 256)) % 2 == 0 ? 0 : 255);
            image.Pixels.AsSpan(i * 4, 4).Fill(v);
            image.Pixels[(i * 4) + 3] = 255;
        }

        var result = ImageResizer.Fit(image, 64);

        for (var i = 0; i < result.Pixels.Length; i += 4)
        {
            Assert.InRange(result.Pixels[i], (byte)127, (byte)128);
        }
    }

    [Fact]
    public void Partially_covered_pixels_count_by_their_covered_fraction()
    {
        // 3 px → 2 px: output 0 covers source 0 fully and half of source 1; output 1 the other half and source 2.
        var source = new RgbaImage(3, 1, [0, 0, 0, 255, 90, 90, 90, 255, 180, 180, 180, 255]);

        var result = ImageResizer.Fit(source, 2);

        Assert.Equal(new byte[] { 30, 30, 30, 255, 150, 150, 150, 255 }, result.Pixels);
    }

    [Fact]
    public void Uniform_colour_stays_exactly_uniform_at_odd_ratios()
    {
        var source = TestImages.Filled(97, 61, 10, 200, 77);

        var result = ImageResizer.Fit(source, 13);

        Assert.Equal(TestImages.Filled(result.Width, result.Height, 10, 200, 77).Pixels, result.Pixels);
    }

    [Fact]
    public void Transparent_pixels_do_not_bleed_their_colour()
    {
        var source = new RgbaImage(2, 1, [255, 0, 0, 255, 0, 255, 0, 0]);

        var result = ImageResizer.Fit(source, 1);

        Assert.Equal(new byte[] { 255, 0, 0, 128 }, result.Pixels);
    }

    [Fact]
    public void Invalid_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageResizer.Fit(TestImages.Gradient(4, 4), 0));
        Assert.Throws<ArgumentNullException>(() => ImageResizer.Fit(null!, 4));
    }
}
