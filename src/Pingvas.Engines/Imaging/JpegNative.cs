using System.Runtime.InteropServices;

namespace Pingvas.Engines.Imaging;

/// <summary>
/// JPEG decoding through the TurboJPEG API of libjpeg-turbo. Decodes with "stop on warning", so a
/// truncated or corrupt file (which libjpeg would pad with grey and only warn about) is an error.
/// </summary>
internal static unsafe partial class JpegNative
{
    private const int PixelFormatRgba = 7; // TJPF_RGBA
    private const int FlagStopOnWarning = 8192; // TJFLAG_STOPONWARNING

    [LibraryImport(NativeLibraries.Jpeg, EntryPoint = "tjInitDecompress")]
    private static partial nint InitDecompress();

    [LibraryImport(NativeLibraries.Jpeg, EntryPoint = "tjDecompressHeader3")]
    private static partial int DecompressHeader(nint handle, byte* jpeg, nuint size, int* width, int* height, int* subsampling, int* colorspace);

    [LibraryImport(NativeLibraries.Jpeg, EntryPoint = "tjDecompress2")]
    private static partial int Decompress(nint handle, byte* jpeg, nuint size, byte* output, int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(NativeLibraries.Jpeg, EntryPoint = "tjGetErrorStr2")]
    private static partial nint ErrorText(nint handle);

    [LibraryImport(NativeLibraries.Jpeg, EntryPoint = "tjDestroy")]
    private static partial int Destroy(nint handle);

    /// <summary>Decodes a whole JPEG to RGBA; throws <see cref="InvalidImageException"/> on anything libjpeg-turbo rejects.</summary>
    internal static RgbaImage Decode(ReadOnlySpan<byte> data, long maxPixels)
    {
        NativeLibraries.EnsureJpeg();
        var handle = InitDecompress();
        if (handle == 0)
        {
            throw new InvalidOperationException("libturbojpeg could not create a decompressor.");
        }

        try
        {
            fixed (byte* p = data)
            {
                int width, height, subsampling, colorspace;
                if (DecompressHeader(handle, p, (nuint)data.Length, &width, &height, &subsampling, &colorspace) != 0)
                {
                    throw new InvalidImageException($"Not a valid JPEG: {Message(handle)}");
                }

                ImageDecoder.CheckSize("JPEG", (uint)width, (uint)height, maxPixels);
                var pixels = new byte[checked(width * height * 4)];
                fixed (byte* output = pixels)
                {
                    if (Decompress(handle, p, (nuint)data.Length, output, width, width * 4, height, PixelFormatRgba, FlagStopOnWarning) != 0)
                    {
                        throw new InvalidImageException($"Not a valid JPEG: {Message(handle)}");
                    }
                }

                return new RgbaImage(width, height, pixels);
            }
        }
        finally
        {
            Destroy(handle);
        }
    }

    private static string Message(nint handle) => Marshal.PtrToStringAnsi(ErrorText(handle)) ?? "unreadable data";
}
