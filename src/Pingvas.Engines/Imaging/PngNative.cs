using System.Runtime.InteropServices;

namespace Pingvas.Engines.Imaging;

/// <summary>
/// PNG decoding through libpng's simplified API (png_image_*), which validates chunk CRCs and the
/// zlib stream. The png_image struct lives in native memory for the whole decode: libpng keeps a
/// pointer to it, so a marshalled copy would be written after it moved.
/// </summary>
internal static unsafe partial class PngNative
{
    private const uint ImageVersion = 1;
    private const uint FormatRgba = 3; // PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA
    private const uint ErrorBit = 2;

    [LibraryImport(NativeLibraries.Png, EntryPoint = "png_image_begin_read_from_memory")]
    private static partial int BeginReadFromMemory(PngImage* image, byte* memory, nuint size);

    [LibraryImport(NativeLibraries.Png, EntryPoint = "png_image_finish_read")]
    private static partial int FinishRead(PngImage* image, void* background, byte* buffer, int rowStride, void* colormap);

    [LibraryImport(NativeLibraries.Png, EntryPoint = "png_image_free")]
    private static partial void Free(PngImage* image);

    /// <summary>Decodes a whole PNG to RGBA; throws <see cref="InvalidImageException"/> on anything libpng rejects.</summary>
    internal static RgbaImage Decode(ReadOnlySpan<byte> data, long maxPixels)
    {
        NativeLibraries.EnsurePng();
        var image = (PngImage*)NativeMemory.AllocZeroed((nuint)sizeof(PngImage));
        try
        {
            image->Version = ImageVersion;
            fixed (byte* p = data)
            {
                if (BeginReadFromMemory(image, p, (nuint)data.Length) == 0)
                {
                    throw new InvalidImageException($"Not a valid PNG: {Message(image)}");
                }

                ImageDecoder.CheckSize("PNG", image->Width, image->Height, maxPixels);
                image->Format = FormatRgba;
                var width = (int)image->Width;
                var height = (int)image->Height;
                var pixels = new byte[checked(width * height * 4)];
                fixed (byte* output = pixels)
                {
                    if (FinishRead(image, null, output, width * 4, null) == 0 || (image->WarningOrError & ErrorBit) != 0)
                    {
                        throw new InvalidImageException($"Not a valid PNG: {Message(image)}");
                    }
                }

                return new RgbaImage(width, height, pixels);
            }
        }
        finally
        {
            Free(image);
            NativeMemory.Free(image);
        }
    }

    private static string Message(PngImage* image) =>
        Marshal.PtrToStringAnsi((nint)image->Message) is { Length: > 0 } message ? message : "unreadable data";

    /// <summary>png_image from png.h (libpng 1.6).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct PngImage
    {
        public nint Opaque;
        public uint Version;
        public uint Width;
        public uint Height;
        public uint Format;
        public uint Flags;
        public uint ColormapEntries;
        public uint WarningOrError;
        public fixed byte Message[64];
    }
}
