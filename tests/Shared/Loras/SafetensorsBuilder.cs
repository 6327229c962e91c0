using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pingvas.Testing.Loras;

/// <summary>
/// Writes .safetensors files for tests: valid ones (tensors laid out back to back from 0, data
/// filled from a seed) and, through the hooks, every way a file can break.
/// </summary>
public sealed class SafetensorsBuilder
{
    private static readonly Dictionary<string, int> Sizes = new(StringComparer.Ordinal)
    {
        ["F16"] = 2,
        ["BF16"] = 2,
        ["F32"] = 4,
        ["F64"] = 8,
        ["I8"] = 1,
        ["U8"] = 1,
        ["I32"] = 4,
        ["I64"] = 8,
    };

    private readonly List<(string Name, string DType, long[] Shape)> tensors = [];
    private readonly Dictionary<string, string> metadata = new(StringComparer.Ordinal);

    /// <summary>Seeds the data bytes, so two files with the same layout differ (and hash differently).</summary>
    public int Seed { get; init; } = 1;

    public SafetensorsBuilder Tensor(string name, long[] shape, string dtype = "F16")
    {
        tensors.Add((name, dtype, shape));
        return this;
    }

    public SafetensorsBuilder Metadata(string key, string value)
    {
        metadata[key] = value;
        return this;
    }

    /// <summary>The header as it will be written; change it (offsets, dtypes) before <see cref="Build(JsonObject)"/>.</summary>
    public JsonObject Header()
    {
        var header = new JsonObject();
        if (metadata.Count > 0)
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata)
            {
                meta[k] = v;
            }

            header["__metadata__"] = meta;
        }

        long offset = 0;
        foreach (var (name, dtype, shape) in tensors)
        {
            var bytes = shape.Aggregate(1L, (a, d) => a * d) * Sizes[dtype];
            header[name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(shape.Select(d => (JsonNode)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + bytes)),
            };
            offset += bytes;
        }

        return header;
    }

    /// <summary>Bytes of data the tensors take, back to back.</summary>
    public long DataLength => tensors.Sum(t => t.Shape.Aggregate(1L, (a, d) => a * d) * Sizes[t.DType]);

    public byte[] Build() => Build(Header());

    /// <summary>A file with <paramref name="header"/> and <paramref name="dataLength"/> (default: the tensors' size) data bytes.</summary>
    public byte[] Build(JsonObject header, long? dataLength = null) =>
        Build(Encoding.UTF8.GetBytes(header.ToJsonString(new JsonSerializerOptions { WriteIndented = false })), dataLength ?? DataLength);

    /// <summary>A file from raw header bytes; the length prefix says their length.</summary>
    public byte[] Build(byte[] headerBytes, long dataLength) => Build(headerBytes, dataLength, (ulong)headerBytes.Length);

    /// <summary>A file whose length prefix is <paramref name="declaredLength"/>, whatever the header's real length.</summary>
    public byte[] Build(byte[] headerBytes, long dataLength, ulong declaredLength)
    {
        var file = new byte[8 + headerBytes.Length + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(file, declaredLength);
        headerBytes.CopyTo(file, 8);
        new Random(Seed).NextBytes(file.AsSpan(8 + headerBytes.Length));
        return file;
    }
}
