// Decodes each JPEG given on the command line to 8-bit RGB with each candidate decoder and prints the median time of
// 7 runs (after one warm-up), plus whether the pixels agree with libturbojpeg's:
//   skia           SkiaSharp (its bundled libjpeg-turbo, built without SIMD), into RGBA, as the service did before;
//   vips           NetVips (NuGet libvips with its SIMD JPEG decoder), whole image to memory, sequential access;
//   vips-strips    NetVips, fetched in 16-row strips (what streaming into the resize would look like);
//   tj, tj-fresh   the system's libturbojpeg (SIMD) into a reused buffer, and into a fresh native one each time
//                  (malloc'd and freed, as an unpooled decoder would: at 12 MP that is mmap + page faults each time);
//   tj-yuv         libturbojpeg to its Y, Cb, Cr planes (Huffman decoding and IDCT only): what remains of a decode
//                  when chroma upsampling, colour conversion and the RGB store are left out, as a decode streamed into
//                  the resize and cropped to its window could at best leave them out; tj minus tj-yuv is their cost;
//   tj-1/2 ... 1/8 libturbojpeg at a reduced DCT scale (fast mode; 1/8 is close to the Huffman-decoding floor).
// Usage: dotnet run -c Release --project benchmarks/JpegDecoderChoice -- IMAGE.jpg...
using System.Diagnostics;
using System.Runtime.InteropServices;
using NetVips;
using SkiaSharp;

Cache.Max = 0;
NetVips.NetVips.Concurrency = 1;
foreach (var file in args)
{
    var bytes = File.ReadAllBytes(file);
    using var turbo = new TurboJpeg();
    var (width, height) = turbo.Size(bytes);
    Console.WriteLine($"{Path.GetFileName(file)} {width}x{height}");
    var reference = turbo.Decode(bytes, 1);
    Report("skia", () => Skia(bytes), reference);
    Report("vips", () => Vips(bytes), reference);
    Report("vips-strips", () => { VipsStrips(bytes); return null; }, null);
    Report("tj", () => turbo.Decode(bytes, 1), reference);
    Report("tj-fresh", () => { turbo.DecodeIntoFreshNativeBuffer(bytes); return null; }, null);
    Report("tj-yuv", () => { turbo.DecodeToPlanes(bytes); return null; }, null);
    foreach (var denominator in new[] { 2, 4, 8 })
        Report($"tj-1/{denominator}", () => turbo.Decode(bytes, denominator), null);
}

static void Report(string name, Func<byte[]?> decode, byte[]? reference)
{
    var pixels = decode();
    var times = new List<double>();
    for (int i = 0; i < 7; i++)
    {
        var started = Stopwatch.GetTimestamp();
        decode();
        times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
    times.Sort();
    var agreement = reference is null || pixels is null ? "" : pixels.AsSpan().SequenceEqual(reference) ? "  pixels identical to tj" : "  PIXELS DIFFER from tj";
    Console.WriteLine($"  {name,-12}{times[3],8:F2} ms{agreement}");
}

static byte[] Skia(byte[] bytes)
{
    using var codec = SKCodec.Create(new SKMemoryStream(bytes));
    var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
    var rgba = new byte[info.BytesSize];
    unsafe
    {
        fixed (byte* p = rgba)
            codec.GetPixels(info, (IntPtr)p);
    }
    var rgb = new byte[info.Width * info.Height * 3];
    for (int i = 0, j = 0; j < rgb.Length; i += 4, j += 3)
        (rgb[j], rgb[j + 1], rgb[j + 2]) = (rgba[i], rgba[i + 1], rgba[i + 2]);
    return rgb;
}

static byte[] Vips(byte[] bytes)
{
    using var image = NetVips.Image.NewFromBuffer(bytes, access: Enums.Access.Sequential);
    return image.WriteToMemory<byte>();
}

static void VipsStrips(byte[] bytes)
{
    using var image = NetVips.Image.NewFromBuffer(bytes, access: Enums.Access.Sequential);
    using var region = Region.New(image);
    for (int y = 0; y < image.Height; y += 16)
        region.Fetch(0, y, image.Width, Math.Min(16, image.Height - y));
}

/// <summary>The system's libturbojpeg (TurboJPEG 2 API), with one retained output buffer.</summary>
internal sealed unsafe class TurboJpeg : IDisposable
{
    private readonly nint _handle = tjInitDecompress();
    private byte[] _buffer = [];
    private byte[] _planes = [];

    public (int Width, int Height) Size(byte[] jpeg)
    {
        int w, h, subsampling, colorspace;
        fixed (byte* p = jpeg)
            if (tjDecompressHeader3(_handle, p, new CULong((nuint)jpeg.Length), &w, &h, &subsampling, &colorspace) != 0)
                throw new InvalidOperationException("not a JPEG libturbojpeg can read");
        return (w, h);
    }

    public byte[] Decode(byte[] jpeg, int denominator)
    {
        var (w, h) = Size(jpeg);
        (w, h) = ((w + denominator - 1) / denominator, (h + denominator - 1) / denominator);
        if (_buffer.Length != w * h * 3)
            _buffer = new byte[w * h * 3];
        fixed (byte* p = jpeg)
        fixed (byte* o = _buffer)
            if (tjDecompress2(_handle, p, new CULong((nuint)jpeg.Length), o, w, 0, h, 0, 0) != 0)
                throw new InvalidOperationException("libturbojpeg failed");
        return _buffer;
    }

    public void DecodeIntoFreshNativeBuffer(byte[] jpeg)
    {
        var (w, h) = Size(jpeg);
        byte* output = (byte*)NativeMemory.Alloc((nuint)(w * h * 3));
        try
        {
            fixed (byte* p = jpeg)
                if (tjDecompress2(_handle, p, new CULong((nuint)jpeg.Length), output, w, 0, h, 0, 0) != 0)
                    throw new InvalidOperationException("libturbojpeg failed");
        }
        finally
        {
            NativeMemory.Free(output);
        }
    }

    public void DecodeToPlanes(byte[] jpeg)
    {
        int width, height, subsampling, colorspace;
        fixed (byte* p = jpeg)
            if (tjDecompressHeader3(_handle, p, new CULong((nuint)jpeg.Length), &width, &height, &subsampling, &colorspace) != 0)
                throw new InvalidOperationException("not a JPEG libturbojpeg can read");
        int planeCount = colorspace == 2 ? 1 : 3; // TJCS_GRAY
        var (w, h, s) = (width, height, subsampling);
        var sizes = Enumerable.Range(0, planeCount).Select(c => tjPlaneWidth(c, w, s) * tjPlaneHeight(c, h, s)).ToArray();
        if (_planes.Length != sizes.Sum())
            _planes = new byte[sizes.Sum()];
        fixed (byte* p = jpeg)
        fixed (byte* o = _planes)
        {
            var planes = stackalloc byte*[3];
            for (int c = 0, offset = 0; c < planeCount; offset += sizes[c], c++)
                planes[c] = o + offset;
            if (tjDecompressToYUVPlanes(_handle, p, new CULong((nuint)jpeg.Length), planes, 0, null, 0, 0) != 0)
                throw new InvalidOperationException("libturbojpeg failed");
        }
    }

    public void Dispose() => tjDestroy(_handle);

    [DllImport("libturbojpeg.so.0")] private static extern nint tjInitDecompress();
    [DllImport("libturbojpeg.so.0")] private static extern int tjDestroy(nint handle);
    [DllImport("libturbojpeg.so.0")] private static extern int tjDecompressHeader3(nint handle, byte* jpeg, CULong size, int* width, int* height, int* subsampling, int* colorspace);
    [DllImport("libturbojpeg.so.0")] private static extern int tjDecompressToYUVPlanes(nint handle, byte* jpeg, CULong size, byte** planes, int width, int* strides, int height, int flags);
    [DllImport("libturbojpeg.so.0")] private static extern int tjPlaneWidth(int component, int width, int subsampling);
    [DllImport("libturbojpeg.so.0")] private static extern int tjPlaneHeight(int component, int height, int subsampling);
    [DllImport("libturbojpeg.so.0")] private static extern int tjDecompress2(nint handle, byte* jpeg, CULong size, byte* destination, int width, int pitch, int height, int pixelFormat, int flags);
}
