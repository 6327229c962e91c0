using System.Runtime.InteropServices;

namespace Pingvas.Engines.Imaging;

/// <summary>
/// The few libwebp entry points we use (simple API of libwebp ≥ 0.5). Callers must call
/// <see cref="NativeLibraries.EnsureWebP"/> first so a missing library becomes a clear error.
/// </summary>
internal static unsafe partial class WebPNative
{
    [LibraryImport(NativeLibraries.WebP)]
    internal static partial nuint WebPEncodeRGBA(byte* rgba, int width, int height, int stride, float qualityFactor, byte** output);

    [LibraryImport(NativeLibraries.WebP)]
    internal static partial void WebPFree(void* ptr);

    [LibraryImport(NativeLibraries.WebP)]
    internal static partial int WebPGetInfo(byte* data, nuint dataSize, int* width, int* height);

    [LibraryImport(NativeLibraries.WebP)]
    internal static partial byte* WebPDecodeRGBA(byte* data, nuint dataSize, int* width, int* height);

    /// <summary>Reads the canvas size from a WebP header; false when libwebp rejects the data.</summary>
    internal static bool TryGetInfo(ReadOnlySpan<byte> data, out int width, out int height)
    {
        NativeLibraries.EnsureWebP();
        int w = 0, h = 0;
        int ok;
        fixed (byte* p = data)
        {
            ok = WebPGetInfo(p, (nuint)data.Length, &w, &h);
        }

        width = w;
        height = h;
        return ok != 0;
    }

    /// <summary>Decodes a WebP file to RGBA (used to check previews); null when the data is not valid WebP.</summary>
    internal static RgbaImage? Decode(ReadOnlySpan<byte> data)
    {
        NativeLibraries.EnsureWebP();
        int w = 0, h = 0;
        byte* pixels;
        fixed (byte* p = data)
        {
            pixels = WebPDecodeRGBA(p, (nuint)data.Length, &w, &h);
        }

        if (pixels == null)
        {
            return null;
        }

        try
        {
            return new RgbaImage(w, h, new ReadOnlySpan<byte>(pixels, checked(w * h * 4)).ToArray());
        }
        finally
        {
            WebPFree(pixels);
        }
    }
}
