using System.Runtime.InteropServices;

namespace MobileViT.Inference.Preprocessing;

/// <summary>
/// The system's TurboJPEG library (libjpeg-turbo's <c>libturbojpeg.so.0</c>, Debian package <c>libturbojpeg0</c>, built
/// with SIMD), bound at run time through its TurboJPEG 2 API. TurboJPEG reports every error, corrupt data included, as a
/// return code (it never calls <c>exit()</c> the way libjpeg's default error handler does), so a bad image cannot take
/// the process down. When the library is missing, <see cref="Instance"/> is null and JPEGs decode through SkiaSharp.
/// </summary>
internal sealed unsafe class TurboJpegLibrary
{
    public const int PixelFormatRgb = 0;     // TJPF_RGB
    public const int ColorspaceCmyk = 3;     // TJCS_CMYK
    public const int ColorspaceYcck = 4;     // TJCS_YCCK
    /// <summary>TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS: give up at the first warning (e.g. truncated data) and refuse progressive JPEGs with more than 500 scans.</summary>
    public const int DecodeFlags = 8192 | 32768;

    private static readonly string[] Names = ["libturbojpeg.so.0", "libturbojpeg.so", "turbojpeg", "libturbojpeg"];
    private static readonly Lazy<(TurboJpegLibrary? Library, string Description)> Loaded = new(Load);

    private readonly delegate* unmanaged<nint> _initDecompress;
    private readonly delegate* unmanaged<nint, byte*, CULong, int*, int*, int*, int*, int> _decompressHeader3;
    private readonly delegate* unmanaged<nint, byte*, CULong, byte*, int, int, int, int, int, int> _decompress2;
    private readonly delegate* unmanaged<nint, int> _destroy;

    private TurboJpegLibrary(nint library)
    {
        _initDecompress = (delegate* unmanaged<nint>)NativeLibrary.GetExport(library, "tjInitDecompress");
        _decompressHeader3 = (delegate* unmanaged<nint, byte*, CULong, int*, int*, int*, int*, int>)NativeLibrary.GetExport(library, "tjDecompressHeader3");
        _decompress2 = (delegate* unmanaged<nint, byte*, CULong, byte*, int, int, int, int, int, int>)NativeLibrary.GetExport(library, "tjDecompress2");
        _destroy = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "tjDestroy");
    }

    /// <summary>The loaded library, or null when it is not installed.</summary>
    public static TurboJpegLibrary? Instance => Loaded.Value.Library;

    /// <summary>Which library was loaded from where, or why none was.</summary>
    public static string Description => Loaded.Value.Description;

    private static (TurboJpegLibrary?, string) Load()
    {
        foreach (var name in Names)
        {
            if (!NativeLibrary.TryLoad(name, typeof(TurboJpegLibrary).Assembly, null, out var handle))
                continue;
            try
            {
                return (new TurboJpegLibrary(handle), name);
            }
            catch (EntryPointNotFoundException e)
            {
                return (null, $"{name} lacks the TurboJPEG 2 API ({e.Message})");
            }
        }
        return (null, $"none of {string.Join(", ", Names)} could be loaded");
    }

    public nint InitDecompress() => _initDecompress();

    public void Destroy(nint handle) => _destroy(handle);

    public bool DecompressHeader(nint handle, ReadOnlySpan<byte> jpeg, out int width, out int height, out int colorspace)
    {
        int w, h, subsampling, space;
        fixed (byte* bytes = jpeg)
        {
            int result = _decompressHeader3(handle, bytes, new CULong((nuint)jpeg.Length), &w, &h, &subsampling, &space);
            (width, height, colorspace) = (w, h, space);
            return result == 0;
        }
    }

    /// <summary>Decodes to <paramref name="width"/> x <paramref name="height"/> (a size one of libjpeg's DCT scale factors gives) RGB pixels.</summary>
    public bool Decompress(nint handle, ReadOnlySpan<byte> jpeg, byte* destination, int width, int pitch, int height)
    {
        fixed (byte* bytes = jpeg)
            return _decompress2(handle, bytes, new CULong((nuint)jpeg.Length), destination, width, pitch, height, PixelFormatRgb, DecodeFlags) == 0;
    }
}
