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

    // Debian ships the versioned soname only (the unversioned symlink is in the -dev package),
    // so libwebp.so.7 comes first; the rest keep local development on other systems possible.
    private static readonly string[] WebPCandidates =
        ["libwebp.so.7", "libwebp.so", "libwebp.7.dylib", "libwebp.dylib", "libwebp.dll"];

    private static readonly Lazy<nint> WebPHandle = new(static () => LoadFirst(WebPCandidates));

    static NativeLibraries()
    {
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
    }

    /// <summary>Loads libwebp or throws an error that tells the operator which package to install.</summary>
    public static void EnsureWebP()
    {
        ThrowIfWebPMissing(WebPHandle.Value);
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
        return libraryName == WebP ? WebPHandle.Value : 0;
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
