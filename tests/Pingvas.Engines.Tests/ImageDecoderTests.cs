using Pingvas.Engines.Imaging;

namespace Pingvas.Engines.Tests;

public sealed class ImageDecoderTests
{
    private static readonly byte[] Jpeg = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "red-blue-40x30.jpg"));

    [Fact]
    public void A_png_decodes_to_the_pixels_it_was_encoded_from()
    {
        var original = TestImages.Noise(37, 21, seed: 5);
        var png = PngEncoder.Encode(original);

        Assert.Equal(new ImageInfo("png", 37, 21), ImageDecoder.Identify(png));
        var decoded = ImageDecoder.Decode(png);
        Assert.Equal((37, 21), (decoded.Width, decoded.Height));
        Assert.Equal(original.Pixels, decoded.Pixels);
    }

    [Fact]
    public void A_webp_decodes_to_its_size_and_colours()
    {
        var webp = WebPEncoder.Encode(TestImages.Filled(30, 20, 10, 200, 30), quality: 90);

        Assert.Equal(new ImageInfo("webp", 30, 20), ImageDecoder.Identify(webp));
        var decoded = ImageDecoder.Decode(webp);
        Assert.Equal((30, 20), (decoded.Width, decoded.Height));
        Assert.InRange(decoded.Pixels[1], 190, 210);
    }

    [Fact]
    public void A_jpeg_decodes_with_its_left_half_red_and_right_half_blue()
    {
        Assert.Equal(new ImageInfo("jpeg", 40, 30), ImageDecoder.Identify(Jpeg));
        var decoded = ImageDecoder.Decode(Jpeg);

        Assert.Equal((40, 30), (decoded.Width, decoded.Height));
        var left = Pixel(decoded, 5, 15);
        var right = Pixel(decoded, 35, 15);
        Assert.True(left.R > 230 && left.B < 30, $"left {left}");
        Assert.True(right.B > 230 && right.R < 30, $"right {right}");
        Assert.Equal(255, left.A);
    }

    [Fact]
    public void Truncated_files_of_every_format_are_refused()
    {
        var png = PngEncoder.Encode(TestImages.Noise(64, 64, seed: 1));
        var webp = WebPEncoder.Encode(TestImages.Noise(64, 64, seed: 2), quality: 80);

        foreach (var file in new[] { png, webp, Jpeg })
        {
            // The header still reads, so only a full decode can tell.
            var cut = file[..(file.Length * 2 / 3)];
            ImageDecoder.Identify(cut);
            Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(cut));
        }
    }

    [Fact]
    public void A_png_with_a_damaged_data_chunk_is_refused()
    {
        var png = PngEncoder.Encode(TestImages.Noise(32, 32, seed: 3));
        png[png.Length / 2] ^= 0x5A;

        Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(png));
    }

    [Fact]
    public void The_format_comes_from_the_bytes_not_from_what_the_file_claims()
    {
        Assert.Equal("jpeg", ImageDecoder.Identify(Jpeg).Format);
        Assert.Throws<InvalidImageException>(() => ImageDecoder.Identify("GIF89a\x01\x00\x01\x00"u8));
        Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode("not an image at all"u8));
        Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode([]));
    }

    [Fact]
    public void A_header_claiming_a_huge_picture_is_refused_before_decoding()
    {
        var png = PngEncoder.Encode(TestImages.Noise(8, 8, seed: 4));

        // IHDR says 60000 × 60000; the CRC no longer matches either, but the size check comes first.
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), 60_000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), 60_000);

        var refused = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(png));
        Assert.Contains("60000", refused.Message);
    }

    private static (byte R, byte G, byte B, byte A) Pixel(RgbaImage image, int x, int y)
    {
        var i = ((y * image.Width) + x) * 4;
        return (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2], image.Pixels[i + 3]);
    }
}
