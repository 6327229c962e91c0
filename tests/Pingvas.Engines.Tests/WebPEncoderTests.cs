using System.Buffers.Binary;

using Pingvas.Engines.Imaging;

namespace Pingvas.Engines.Tests;

public sealed class WebPEncoderTests
{
    [Theory]
    [InlineData(40, 30)]
    [InlineData(1, 1)]
    [InlineData(17, 96)]
    public void Output_is_a_RIFF_WEBP_file_with_the_image_dimensions(int width, int height)
    {
        var webp = WebPEncoder.Encode(TestImages.Gradient(width, height));

        Assert.Equal("RIFF"u8.ToArray(), webp[..4]);
        Assert.Equal(webp.Length - 8, BinaryPrimitives.ReadInt32LittleEndian(webp.AsSpan(4)));
        Assert.Equal("WEBP"u8.ToArray(), webp[8..12]);
        Assert.True(WebPNative.TryGetInfo(webp, out var w, out var h));
        Assert.Equal((width, height), (w, h));
    }

    [Fact]
    public void Decoded_output_is_close_to_the_source_pixels()
    {
        var image = TestImages.Gradient(64, 48);

        var decoded = WebPNative.Decode(WebPEncoder.Encode(image, quality: 95));

        Assert.NotNull(decoded);
        Assert.True(TestImages.MeanAbsDifference(image, decoded) < 2.5);
    }

    [Fact]
    public void Alpha_survives_encoding()
    {
        var image = TestImages.Gradient(32, 32);
        for (var i = 3; i < image.Pixels.Length / 2; i += 4)
        {
            image.Pixels[i] = 0;
        }

        var decoded = WebPNative.Decode(WebPEncoder.Encode(image))!;

        for (var i = 3; i < image.Pixels.Length; i += 4)
        {
            Assert.Equal(image.Pixels[i], decoded.Pixels[i]);
        }
    }

    [Fact]
    public void Higher_quality_spends_more_bytes()
    {
        var image = TestImages.Noise(64, 64, 11);
        Assert.True(WebPEncoder.Encode(image, 10).Length < WebPEncoder.Encode(image, 95).Length);
    }

    [Theory]
    [InlineData(-1f)]
    [InlineData(100.5f)]
    [InlineData(float.NaN)]
    public void Quality_outside_0_to_100_is_rejected(float quality)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WebPEncoder.Encode(TestImages.Gradient(4, 4), quality));
    }

    [Fact]
    public void A_missing_libwebp_is_reported_with_the_Debian_package_to_install()
    {
        var error = Assert.Throws<InvalidOperationException>(() => NativeLibraries.ThrowIfWebPMissing(0));

        Assert.Contains("libwebp7", error.Message, StringComparison.Ordinal);
        Assert.Contains("libwebp.so.7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_is_not_reported_as_WebP()
    {
        Assert.False(WebPNative.TryGetInfo("RIFF0000WEBPnope"u8, out _, out _));
        Assert.Null(WebPNative.Decode(PngEncoder.Encode(TestImages.Gradient(4, 4))));
    }
}
