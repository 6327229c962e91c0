using Pingvas.Core.Loras;
using Pingvas.Testing.Loras;

namespace Pingvas.Core.Tests.Loras;

public sealed class SafetensorsHeaderTests
{
    [Fact]
    public void A_valid_file_gives_its_tensors_in_data_order_metadata_and_exact_length()
    {
        var file = LoraFiles.Sd1();
        var header = SafetensorsHeader.ParseFile(file);

        Assert.Equal(6, header.Tensors.Count);
        Assert.Equal("sd_v1", header.Metadata["ss_base_model_version"]);
        Assert.Equal(file.Length, header.FileLength);
        Assert.Equal(0, header.Tensors[0].Begin);
        Assert.All(header.Tensors.Zip(header.Tensors.Skip(1)), p => Assert.Equal(p.First.End, p.Second.Begin));
        var down = header.Tensors.Single(t => t.Name.EndsWith("attn2_to_k.lora_down.weight", StringComparison.Ordinal));
        Assert.Equal(("F16", 4 * 768 * 2L), (down.DType, down.End - down.Begin));
        Assert.Equal([4L, 768L], down.Shape);
    }

    [Fact]
    public void Header_length_and_json_parse_separately_as_a_stream_reads_them()
    {
        var file = LoraFiles.Sdxl();
        var n = SafetensorsHeader.ReadLength(file.AsSpan(0, 8));
        var header = SafetensorsHeader.Parse(file.AsSpan(8, (int)n));
        Assert.Equal(n, header.HeaderLength);
        header.CheckFileLength(file.Length);
        Assert.Throws<InvalidSafetensorsException>(() => header.CheckFileLength(file.Length - 1));
        Assert.Throws<InvalidSafetensorsException>(() => header.CheckFileLength(file.Length + 1));
    }

    [Fact]
    public void Every_supported_dtype_is_sized_by_its_width()
    {
        var file = new SafetensorsBuilder()
            .Tensor("a.lora_up.weight", [3, 2], "F32")
            .Tensor("a.lora_down.weight", [2, 3], "BF16")
            .Tensor("a.alpha", [], "F16")
            .Build();
        var header = SafetensorsHeader.ParseFile(file);
        Assert.Equal([24L, 12L, 2L], header.Tensors.Select(t => t.End - t.Begin));
    }

    [Fact]
    public void Padded_header_and_no_metadata_are_fine()
    {
        var builder = new SafetensorsBuilder().Tensor("x.lora_up.weight", [2, 2]);
        var json = System.Text.Encoding.UTF8.GetBytes(builder.Header().ToJsonString() + "        ");
        var header = SafetensorsHeader.ParseFile(builder.Build(json, builder.DataLength));
        Assert.Empty(header.Metadata);
        Assert.Single(header.Tensors);
    }

    [Fact]
    public void Each_broken_file_is_refused_with_its_reason()
    {
        foreach (var (name, bytes, reason) in LoraFiles.Broken())
        {
            var error = Assert.Throws<InvalidSafetensorsException>(() => SafetensorsHeader.ParseFile(bytes));
            Assert.True(error.Message.Contains(reason, StringComparison.Ordinal), $"{name}: '{error.Message}' does not say '{reason}'.");
        }
    }

    [Fact]
    public void Header_length_limits_are_the_formats()
    {
        Span<byte> eight = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(eight, SafetensorsHeader.MaxHeaderBytes);
        Assert.Equal(SafetensorsHeader.MaxHeaderBytes, SafetensorsHeader.ReadLength(eight));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(eight, ulong.MaxValue);
        var huge = eight.ToArray();
        Assert.Throws<InvalidSafetensorsException>(() => SafetensorsHeader.ReadLength(huge));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(eight, 100);
        var hundred = eight.ToArray();
        Assert.Equal(100, SafetensorsHeader.ReadLength(hundred, 108));
        Assert.Throws<InvalidSafetensorsException>(() => SafetensorsHeader.ReadLength(hundred, 107));
    }

    [Fact]
    public void Malformed_tensor_entries_are_refused()
    {
        var cases = new[]
        {
            ("{\"t\":{\"dtype\":\"F16\",\"shape\":[2]}}", "lacks"),
            ("{\"t\":{\"dtype\":\"F16\",\"shape\":[-2],\"data_offsets\":[0,4]}}", "non-negative"),
            ("{\"t\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[4,0]}}", "begin ≤ end"),
            ("{\"t\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0]}}", "begin ≤ end"),
            ("{\"t\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}", "unsupported dtype I8"),
            ("{\"t\":{\"dtype\":\"F16\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,2]}}", "too large"),
            ("{\"__metadata__\":{\"a\":1}}", "not a string"),
            ("{\"__metadata__\":[]}", "not an object"),
            ("{\"t\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]},\"t\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[2,4]}}", "JSON"),
        };
        foreach (var (json, reason) in cases)
        {
            var error = Assert.Throws<InvalidSafetensorsException>(() => SafetensorsHeader.Parse(System.Text.Encoding.UTF8.GetBytes(json)));
            Assert.True(error.Message.Contains(reason, StringComparison.Ordinal), $"{json}: '{error.Message}' does not say '{reason}'.");
        }
    }

    [Theory]
    [InlineData(32768)]
    [InlineData(65537)]
    [InlineData(262144)]
    public void The_test_helper_makes_valid_loras_of_an_exact_size(long bytes)
    {
        var file = LoraFiles.Sd1OfSize(bytes);
        Assert.Equal(bytes, file.LongLength);
        Assert.Equal(bytes, SafetensorsHeader.ParseFile(file).FileLength);
    }
}
