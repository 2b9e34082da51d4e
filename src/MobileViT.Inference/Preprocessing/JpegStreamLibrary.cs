using System.Runtime.InteropServices;

namespace MobileViT.Inference.Preprocessing;

/// <summary>
/// <c>libmobilevit_jpeg.so</c> (<c>Preprocessing/Native/mobilevit_jpeg.c</c>, built next to this assembly where a C
/// compiler and libjpeg's headers are present, and in the Docker images): libjpeg-turbo's scanline API (row bands,
/// column crop, row skip) with every libjpeg error returned as a code instead of ending the process. When it is missing,
/// <see cref="Instance"/> is null and JPEGs decode whole through <see cref="TurboJpegLibrary"/>.
/// </summary>
internal sealed unsafe class JpegStreamLibrary
{
    public const string FileName = "libmobilevit_jpeg.so";

    private static readonly Lazy<(JpegStreamLibrary? Library, string Description)> Loaded = new(Load);

    private readonly delegate* unmanaged<nint> _create;
    private readonly delegate* unmanaged<nint, void> _destroy;
    private readonly delegate* unmanaged<nint, byte*, CULong, int, int*, int*, int*, int*, int> _start;
    private readonly delegate* unmanaged<nint, int, int> _skip;
    private readonly delegate* unmanaged<nint, byte*, CLong, int, int> _read;
    private readonly delegate* unmanaged<nint, int> _finish;
    private readonly delegate* unmanaged<nint, void> _abort;

    private JpegStreamLibrary(nint library)
    {
        _create = (delegate* unmanaged<nint>)NativeLibrary.GetExport(library, "mvj_create");
        _destroy = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(library, "mvj_destroy");
        _start = (delegate* unmanaged<nint, byte*, CULong, int, int*, int*, int*, int*, int>)NativeLibrary.GetExport(library, "mvj_start");
        _skip = (delegate* unmanaged<nint, int, int>)NativeLibrary.GetExport(library, "mvj_skip");
        _read = (delegate* unmanaged<nint, byte*, CLong, int, int>)NativeLibrary.GetExport(library, "mvj_read");
        _finish = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "mvj_finish");
        _abort = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(library, "mvj_abort");
    }

    /// <summary>The loaded library, or null when it was not built or libjpeg is not installed.</summary>
    public static JpegStreamLibrary? Instance => Loaded.Value.Library;

    /// <summary>Where the library was loaded from, or why it was not.</summary>
    public static string Description => Loaded.Value.Description;

    private static (JpegStreamLibrary?, string) Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, FileName);
        if (!File.Exists(path))
            path = Path.Combine(Path.GetDirectoryName(typeof(JpegStreamLibrary).Assembly.Location) ?? "", FileName);
        if (!File.Exists(path))
            return (null, $"{FileName} was not built (it needs a C compiler and libjpeg's headers at build time)");
        if (!NativeLibrary.TryLoad(path, out var handle))
            return (null, $"{FileName} could not be loaded (is libjpeg-turbo installed: libjpeg62-turbo on Debian, libjpeg-turbo8 on Ubuntu?)");
        try
        {
            return (new JpegStreamLibrary(handle), path);
        }
        catch (EntryPointNotFoundException e)
        {
            return (null, $"{FileName} is not the version this service needs ({e.Message})");
        }
    }

    /// <summary>A libjpeg decompressor; 0 when out of memory.</summary>
    public nint Create() => _create();

    public void Destroy(nint decoder) => _destroy(decoder);

    /// <summary>See <c>mvj_start</c>: 0 started, 1 CMYK or YCCK (not decoded here), -1 failed.</summary>
    public int Start(nint decoder, byte* jpeg, int length, int denominator, out int width, out int height, ref int cropX, ref int cropWidth)
    {
        int w, h, x = cropX, cw = cropWidth;
        int result = _start(decoder, jpeg, new CULong((nuint)length), denominator, &w, &h, &x, &cw);
        (width, height, cropX, cropWidth) = (w, h, x, cw);
        return result;
    }

    public bool Skip(nint decoder, int rows) => _skip(decoder, rows) == 0;

    public bool Read(nint decoder, byte* destination, nint pitch, int rows) => _read(decoder, destination, new CLong(pitch), rows) == 0;

    public bool Finish(nint decoder) => _finish(decoder) == 0;

    public void Abort(nint decoder) => _abort(decoder);
}
