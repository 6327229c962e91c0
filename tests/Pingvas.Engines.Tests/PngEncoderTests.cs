using System.Buffers.Binary;
using System.Text;

using Pingvas.Engines.Imaging;

namespace Pingvas.Engines.Tests;

public sealed class PngEncoderTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(37, 23)]
    [InlineData(64, 48)]
    public void Noise_image_round_trips_exactly_with_valid_structure(int width, int height)
    {
        var image = TestImages.Noise(width, height, seed: width * height);

        var png = PngEncoder.Encode(image);
        var reader = PngTestReader.Read(png); // checks signature and every CRC

        Assert.Equal("IHDR", reader.Chunks[0].Type);
        Assert.Equal(13, reader.Header.Length);
        Assert.Equal(width, reader.Width);
        Assert.Equal(height, reader.Height);
        Assert.Equal(8, reader.Header[8]);  // bit depth
        Assert.Equal(6, reader.Header[9]);  // RGBA
        Assert.Equal(0, reader.Header[10]); // deflate
        Assert.Equal(0, reader.Header[11]); // adaptive filtering
        Assert.Equal(0, reader.Header[12]); // not interlaced
        Assert.Equal(("IEND", 0), (reader.Chunks[^1].Type, reader.Chunks[^1].Data.Length));
        Assert.Equal(image.Pixels, reader.DecodePixels().Pixels);
    }

    [Fact]
    public void Smooth_image_round_trips_and_compresses_well_using_prediction_filters()
    {
        var image = TestImages.Gradient(120, 80);

        var png = PngEncoder.Encode(image);
        var reader = PngTestReader.Read(png);

        Assert.Equal(image.Pixels, reader.DecodePixels().Pixels);
        Assert.Contains(reader.FilterTypes(), f => f != 0);
        Assert.True(png.Length < image.Pixels.Length / 10, $"{png.Length} bytes for {image.Pixels.Length} raw");
    }

    [Fact]
    public void Row_filter_is_chosen_per_row_by_smallest_residuals()
    {
        // Identical rows holding a horizontal ramp: the first row is best predicted from the left
        // (Sub), every later row exactly from the row above (Up, all-zero residuals).
        var image = new RgbaImage(50, 6);
        for (var y = 0; y < 6; y++)
        {
            for (var x = 0; x < 50; x++)
            {
                var i = ((y * 50) + x) * 4;
                image.Pixels[i] = (byte)(x * 5);
                image.Pixels[i + 1] = (byte)(250 - (x * 5));
                image.Pixels[i + 2] = (byte)(x * 3);
                image.Pixels[i + 3] = 255;
            }
        }

        var reader = PngTestReader.Read(PngEncoder.Encode(image));

        Assert.Equal(new byte[] { 1, 2, 2, 2, 2, 2 }, reader.FilterTypes());
        Assert.Equal(image.Pixels, reader.DecodePixels().Pixels);
    }

    [Fact]
    public void Text_chunks_use_tEXt_for_Latin1_and_iTXt_for_Korean_before_the_image_data()
    {
        var text = new Dictionary<string, string>
        {
            ["engine"] = "procedural",
            ["prompt"] = "고양이 우주비행사, 수채화 스타일",
            ["note"] = "café crème",
            ["empty"] = string.Empty,
        };

        var reader = PngTestReader.Read(PngEncoder.Encode(TestImages.Gradient(8, 8), text));
        var chunks = reader.TextChunks();

        Assert.Equal(("tEXt", "procedural"), chunks["engine"]);
        Assert.Equal(("iTXt", "고양이 우주비행사, 수채화 스타일"), chunks["prompt"]);
        Assert.Equal(("tEXt", "café crème"), chunks["note"]);
        Assert.Equal(("tEXt", string.Empty), chunks["empty"]);

        // Latin-1, not UTF-8: é is the single byte 0xE9.
        var note = reader.Chunks.Single(c => c.Type == "tEXt" && c.Data.AsSpan().StartsWith("note"u8)).Data;
        Assert.Equal(Encoding.Latin1.GetBytes("note\0café crème"), note);

        var types = reader.Chunks.Select(c => c.Type).ToList();
        Assert.True(types.LastIndexOf("iTXt") < types.IndexOf("IDAT"));
        Assert.True(types.LastIndexOf("tEXt") < types.IndexOf("IDAT"));
    }

    [Fact]
    public void Output_is_byte_identical_regardless_of_dictionary_order()
    {
        var image = TestImages.Noise(9, 7, 3);
        var a = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2", ["c"] = "셋" };
        var b = new Dictionary<string, string> { ["c"] = "셋", ["a"] = "1", ["b"] = "2" };

        Assert.Equal(PngEncoder.Encode(image, a), PngEncoder.Encode(image, b));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" leading")]
    [InlineData("double  space")]
    [InlineData("프롬프트")]
    [InlineData("tab\tkey")]
    public void Invalid_keywords_are_rejected(string keyword)
    {
        var text = new Dictionary<string, string> { [keyword] = "value" };
        Assert.Throws<ArgumentException>(() => PngEncoder.Encode(TestImages.Gradient(2, 2), text));
    }

    [Fact]
    public void Keywords_longer_than_79_characters_and_NUL_values_are_rejected()
    {
        var image = TestImages.Gradient(2, 2);
        Assert.Throws<ArgumentException>(() => PngEncoder.Encode(image, new Dictionary<string, string> { [new string('k', 80)] = "v" }));
        Assert.Throws<ArgumentException>(() => PngEncoder.Encode(image, new Dictionary<string, string> { ["k"] = "a\0b" }));
        PngTestReader.Read(PngEncoder.Encode(image, new Dictionary<string, string> { [new string('k', 79)] = "v" }));
    }

    [Fact]
    public void Crc32_matches_the_standard_check_value_and_the_bitwise_reference()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

        var data = TestImages.Noise(33, 17, 5).Pixels;
        Assert.Equal(PngTestReader.BitwiseCrc32(data), Crc32.Compute(data));
        Assert.Equal(0u, Crc32.Compute([]));
    }

    [Fact]
    public void Chunk_length_field_matches_IHDR_layout()
    {
        var png = PngEncoder.Encode(TestImages.Gradient(300, 2));

        Assert.Equal(13, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(8)));
        Assert.Equal("IHDR"u8.ToArray(), png[12..16]);
        Assert.Equal(300, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }
}
