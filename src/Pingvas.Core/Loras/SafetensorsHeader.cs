using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Pingvas.Core.Loras;

/// <summary>A .safetensors file that breaks the format; <see cref="Exception.Message"/> is a reason a user can act on.</summary>
public sealed class InvalidSafetensorsException(string reason) : Exception(reason);

/// <summary>One tensor of the header: its dtype, shape and byte range in the data section.</summary>
public sealed record SafetensorsTensor(string Name, string DType, IReadOnlyList<long> Shape, long Begin, long End);

/// <summary>
/// The header of a .safetensors file (huggingface/safetensors): 8 bytes little-endian header length
/// N, N bytes of UTF-8 JSON, then the tensor data. Checked so that a file that passes is exactly what
/// it says: allowed dtypes, sizes that match shapes, contiguous data from 0, nothing after the end.
/// </summary>
public sealed class SafetensorsHeader
{
    /// <summary>The largest header the format allows (the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private static readonly Dictionary<string, int> DTypeSizes = new(StringComparer.Ordinal) { ["F16"] = 2, ["BF16"] = 2, ["F32"] = 4 };

    private SafetensorsHeader(long headerLength, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<SafetensorsTensor> tensors)
    {
        HeaderLength = headerLength;
        Metadata = metadata;
        Tensors = tensors;
        DataLength = tensors.Count == 0 ? 0 : tensors[^1].End;
    }

    public long HeaderLength { get; }

    /// <summary>The <c>__metadata__</c> entries (string to string), empty when absent.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in data order.</summary>
    public IReadOnlyList<SafetensorsTensor> Tensors { get; }

    /// <summary>Bytes of the data section: the last tensor's end.</summary>
    public long DataLength { get; }

    /// <summary>What the whole file must measure: 8 + N + data.</summary>
    public long FileLength => 8 + HeaderLength + DataLength;

    /// <summary>N from the first 8 bytes; <paramref name="fileLength"/>, when known, bounds it.</summary>
    public static long ReadLength(ReadOnlySpan<byte> first8, long? fileLength = null)
    {
        if (first8.Length < 8)
        {
            throw new InvalidSafetensorsException("The file is shorter than the 8-byte header length a .safetensors file starts with.");
        }

        var n = BinaryPrimitives.ReadUInt64LittleEndian(first8);
        if (n == 0)
        {
            throw new InvalidSafetensorsException("The header length is 0; a .safetensors file starts with the length of its JSON header.");
        }

        if (n > MaxHeaderBytes)
        {
            throw new InvalidSafetensorsException($"The header length {n} is over the format's limit of {MaxHeaderBytes} bytes; this is not a .safetensors file.");
        }

        if (fileLength is { } total && (long)n > total - 8)
        {
            throw new InvalidSafetensorsException($"The header length {n} is longer than the rest of the file ({Math.Max(0, total - 8)} bytes); the file is truncated or not a .safetensors file.");
        }

        return (long)n;
    }

    /// <summary>Parses and checks the N bytes of JSON that follow the length.</summary>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            // Strict UTF-8 and no duplicate keys: two readers must not disagree about a tensor.
            document = JsonDocument.Parse(new UTF8Encoding(false, true).GetString(json), new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (Exception ex) when (ex is JsonException or DecoderFallbackException or ArgumentException)
        {
            throw new InvalidSafetensorsException("The header is not valid UTF-8 JSON, so this is not a .safetensors file (or it is damaged).");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidSafetensorsException("The header is JSON but not an object of tensors.");
            }

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var tensors = new List<SafetensorsTensor>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    ReadMetadata(property.Value, metadata);
                }
                else
                {
                    tensors.Add(ReadTensor(property.Name, property.Value));
                }
            }

            tensors.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            CheckLayout(tensors);
            return new SafetensorsHeader(json.Length, metadata, tensors);
        }
    }

    /// <summary>A whole file in memory: length, header and exact size.</summary>
    public static SafetensorsHeader ParseFile(ReadOnlySpan<byte> file)
    {
        var n = ReadLength(file, file.Length);
        var header = Parse(file.Slice(8, (int)n));
        header.CheckFileLength(file.Length);
        return header;
    }

    /// <summary>The file must end exactly where the last tensor does.</summary>
    public void CheckFileLength(long fileLength)
    {
        if (fileLength < FileLength)
        {
            throw new InvalidSafetensorsException($"The file is truncated: its header describes {FileLength} bytes but it has {fileLength}. Upload it again or download it anew.");
        }

        if (fileLength > FileLength)
        {
            throw new InvalidSafetensorsException($"The file has {fileLength - FileLength} bytes of trailing data after its last tensor (it should be {FileLength} bytes).");
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidSafetensorsException("The header's __metadata__ is not an object of strings.");
        }

        foreach (var entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                throw new InvalidSafetensorsException($"The header's __metadata__ entry '{entry.Name}' is not a string.");
            }

            metadata[entry.Name] = entry.Value.GetString()!;
        }
    }

    private static SafetensorsTensor ReadTensor(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidSafetensorsException($"Tensor '{name}' lacks its dtype, shape or data_offsets.");
        }

        var dtype = dtypeElement.GetString()!;
        if (!DTypeSizes.TryGetValue(dtype, out var size))
        {
            throw new InvalidSafetensorsException($"Tensor '{name}' has unsupported dtype {dtype}; LoRAs must be F16, BF16 or F32.");
        }

        var shape = new List<long>();
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out var d) || d < 0)
            {
                throw new InvalidSafetensorsException($"Tensor '{name}' has a shape that is not a list of non-negative integers.");
            }

            shape.Add(d);
        }

        var offsets = offsetsElement.EnumerateArray().ToList();
        if (offsets.Count != 2
            || !offsets.All(o => o.ValueKind == JsonValueKind.Number && o.TryGetInt64(out var v) && v >= 0)
            || offsets[0].GetInt64() > offsets[1].GetInt64())
        {
            throw new InvalidSafetensorsException($"Tensor '{name}' has data_offsets that are not [begin, end] with 0 ≤ begin ≤ end.");
        }

        var (begin, end) = (offsets[0].GetInt64(), offsets[1].GetInt64());
        long bytes;
        try
        {
            bytes = checked(shape.Aggregate(1L, (a, d) => a * d) * size);
        }
        catch (OverflowException)
        {
            throw new InvalidSafetensorsException($"Tensor '{name}' has a shape too large to be real.");
        }

        if (bytes != end - begin)
        {
            throw new InvalidSafetensorsException($"Tensor '{name}' is {dtype} of shape [{string.Join(", ", shape)}], {bytes} bytes, but its data_offsets span {end - begin}.");
        }

        return new SafetensorsTensor(name, dtype, shape, begin, end);
    }

    /// <summary>Sorted by begin: the first starts at 0 and each starts where the previous ends.</summary>
    private static void CheckLayout(List<SafetensorsTensor> tensors)
    {
        long expected = 0;
        foreach (var t in tensors)
        {
            if (t.Begin < expected)
            {
                throw new InvalidSafetensorsException($"Tensor '{t.Name}' overlaps the tensor before it (it starts at {t.Begin}, before {expected}).");
            }

            if (t.Begin > expected)
            {
                throw new InvalidSafetensorsException($"The data has a hole: no tensor covers bytes {expected}…{t.Begin} (tensor '{t.Name}' starts at {t.Begin}).");
            }

            expected = t.End;
        }
    }
}
