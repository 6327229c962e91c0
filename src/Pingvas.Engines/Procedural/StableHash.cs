using System.Buffers.Binary;
using System.Text;

namespace Pingvas.Engines.Procedural;

/// <summary>
/// 64-bit FNV-1a over UTF-8. string.GetHashCode is randomised per process, so it cannot seed a
/// render that must come out byte-identical on every worker and after every restart.
/// </summary>
internal static class StableHash
{
    private const ulong OffsetBasis = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    /// <summary>Hashes the parts in order; each part is length-prefixed so ("ab","c") ≠ ("a","bc").</summary>
    public static ulong Of(params ReadOnlySpan<string> parts)
    {
        var hash = OffsetBasis;
        Span<byte> length = stackalloc byte[4];
        foreach (var part in parts)
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            hash = Append(hash, length);
            hash = Append(hash, bytes);
        }

        return hash;
    }

    private static ulong Append(ulong hash, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * Prime;
        }

        return hash;
    }
}
