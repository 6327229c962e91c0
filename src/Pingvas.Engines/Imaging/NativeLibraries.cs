using System.Reflection;
using System.Runtime.InteropServices;

namespace Pingvas.Engines.Imaging;

/// <summary>
/// Maps this assembly's logical native library names to the real shared objects. .NET allows a
/// single DllImport resolver per assembly, so every native dependency of Pingvas.Engines is listed here.
/// </summary>
internal static class NativeLibraries
{
    /// <summary>Logical name used by <see cref="WebPNative"/>'s imports.</summary>
    public const string WebP = "pingvas-libwebp";

    /// <summary>Logical name used by <see cref="PngNative"/>'s imports (libpng's simplified API).</summary>
    public const string Png = "pingvas-libpng";

    /// <summary>Logical name used by <see cref="JpegNative"/>'s imports (the TurboJPEG API).</summary>
    public const string Jpeg = "pingvas-libturbojpeg";

    // Debian ships the versioned soname only (the unversioned symlink is in the -dev package),
    // so libwebp.so.7 comes first; the rest keep local development on other systems possible.
    private static readonly string[] WebPCandidates =
        ["libwebp.so.7", "libwebp.so", "libwebp.7.dylib", "libwebp.dylib", "libwebp.dll"];

    private static readonly string[] PngCandidates = ["libpng16.so.16", "libpng16.so", "libpng16.16.dylib", "libpng16.dylib", "libpng16.dll"];

    private static readonly string[] JpegCandidates = ["libturbojpeg.so.0", "libturbojpeg.so", "libturbojpeg.0.dylib", "libturbojpeg.dylib", "turbojpeg.dll"];

    private static readonly Lazy<nint> WebPHandle = new(static () => LoadFirst(WebPCandidates));

    private static readonly Lazy<nint> PngHandle = new(static () => LoadFirst(PngCandidates));

    private static readonly Lazy<nint> JpegHandle = new(static () => LoadFirst(JpegCandidates));

    static NativeLibraries()
    {
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
    }

    /// <summary>Loads libwebp or throws an error that tells the operator which package to install.</summary>
    public static void EnsureWebP()
    {
        ThrowIfWebPMissing(WebPHandle.Value);
    }

    /// <summary>Loads libpng16 or throws an error that names the package to install.</summary>
    public static void EnsurePng() => ThrowIfMissing(PngHandle.Value, "PNG decoding", "libpng16.so.16", "libpng16-16");

    /// <summary>Loads libturbojpeg or throws an error that names the package to install.</summary>
    public static void EnsureJpeg() => ThrowIfMissing(JpegHandle.Value, "JPEG decoding", "libturbojpeg.so.0", "libturbojpeg0");

    private static void ThrowIfMissing(nint handle, string purpose, string library, string package)
    {
        if (handle == 0)
        {
            throw new InvalidOperationException(
                $"{purpose} needs the native library {library}, which could not be loaded. "
                + $"Install the Debian package '{package}' (apt-get install {package}) on this machine and in the container image.");
        }
    }

    internal static void ThrowIfWebPMissing(nint handle)
    {
        if (handle == 0)
        {
            throw new InvalidOperationException(
                "WebP encoding needs the native library libwebp.so.7, which could not be loaded. "
                + "Install the Debian package 'libwebp7' (apt-get install libwebp7) on this machine and in the container image.");
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        return libraryName switch
        {
            WebP => WebPHandle.Value,
            Png => PngHandle.Value,
            Jpeg => JpegHandle.Value,
            _ => 0,
        };
    }

    private static nint LoadFirst(string[] candidates)
    {
        foreach (var name in candidates)
        {
            if (NativeLibrary.TryLoad(name, out var handle))
            {
                return handle;
            }
        }

        return 0;
    }
}
