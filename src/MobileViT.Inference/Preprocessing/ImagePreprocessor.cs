using System.Runtime.InteropServices;
using SkiaSharp;

namespace MobileViT.Inference.Preprocessing;

/// <summary>Decodes an encoded image and writes the model input tensor (CHW float32) exactly as Hugging Face's MobileViT image processor does.</summary>
/// <remarks>
/// Pipeline: decode to 8-bit RGB with alpha dropped and grey replicated (JPEG through SIMD libjpeg-turbo: only the
/// window the crop reads, in bands, through <see cref="JpegStreamDecoder"/>, or where that library is missing whole
/// through libturbojpeg; otherwise, and for PNG, WebP, GIF first frame and BMP, through SkiaSharp);
/// apply the EXIF orientation; resize the shortest edge to <see cref="PreprocessorConfig.ShortestEdge"/> with Pillow's
/// bilinear resampling (bit-exact); rescale; centre crop (zero padding when the image is smaller than the crop);
/// optionally flip RGB to BGR; write CHW. Only the part of the resized image that survives the crop is computed.
/// <see cref="PreprocessingMode.Fast"/> decodes JPEGs at a reduced DCT scale first.
/// Instances are immutable and safe to use from many threads at once.
/// </remarks>
public sealed class ImagePreprocessor
{
    /// <summary>Rows per band when a JPEG is decoded in bands: a band of a 12 MP photo's window stays in L2.</summary>
    private const int BandRows = 32;

    private readonly float[] _lookup = new float[256];
    private readonly TurboJpegLibrary? _turboJpeg;
    private readonly JpegStreamLibrary? _jpegStream;
    private readonly bool _vectorResampler;

    /// <param name="config">The model's preprocessor_config.json settings.</param>
    /// <param name="maxPixels">Largest stored width x height accepted.</param>
    /// <param name="mode">Exact (the default) or fast JPEG decoding.</param>
    public ImagePreprocessor(PreprocessorConfig config, long maxPixels, PreprocessingMode mode = PreprocessingMode.Exact)
        : this(config, maxPixels, mode, TurboJpegLibrary.Instance, JpegStreamLibrary.Instance)
    {
    }

    /// <param name="turboJpeg">The whole-image JPEG decoder; null decodes JPEGs with SkiaSharp.</param>
    /// <param name="jpegStream">The windowed, banded JPEG decoder tried first; null decodes whole images.</param>
    /// <param name="vectorResampler">False runs the scalar horizontal pass, the reference the vectorised one is tested against.</param>
    internal ImagePreprocessor(PreprocessorConfig config, long maxPixels, PreprocessingMode mode, TurboJpegLibrary? turboJpeg,
        JpegStreamLibrary? jpegStream = null, bool vectorResampler = true)
    {
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode));
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxPixels, 0);
        if (!config.DoCenterCrop)
            throw new NotSupportedException("do_center_crop=false gives a variable output size, which this service does not support");
        if (config.CropHeight <= 0 || config.CropWidth <= 0 || (config.DoResize && config.ShortestEdge <= 0))
            throw new ArgumentException("crop size and shortest edge must be positive", nameof(config));
        if (config.DoRescale && !float.IsFinite(config.RescaleFactor))
            throw new ArgumentException("rescale factor must be finite", nameof(config));

        Config = config;
        MaxPixels = maxPixels;
        Mode = mode;
        _turboJpeg = turboJpeg;
        _jpegStream = jpegStream;
        _vectorResampler = vectorResampler && VectorHorizontalResampler.IsSupported;
        for (int v = 0; v < 256; v++)
            _lookup[v] = config.DoRescale ? Rescale(v, config.RescaleFactor) : v;
    }

    public PreprocessorConfig Config { get; }
    public long MaxPixels { get; }
    public PreprocessingMode Mode { get; }

    /// <summary>
    /// What decodes JPEGs: <c>libjpeg-turbo, windowed</c> (the crop window only, in bands, through
    /// <see cref="JpegStreamLibrary"/>), <c>libturbojpeg</c> (whole images, SIMD libjpeg-turbo) or, where neither is
    /// available, <c>SkiaSharp</c>.
    /// </summary>
    public string JpegDecoder => _jpegStream is not null ? "libjpeg-turbo, windowed" : _turboJpeg is null ? "SkiaSharp" : "libturbojpeg";

    /// <summary>Which JPEG decoders were found, and if not why; for the one start-up log line that says which runs.</summary>
    public static string JpegDecoderStatus => (TurboJpegLibrary.Instance, JpegStreamLibrary.Instance) switch
    {
        (not null, not null) => $"JPEGs decode with SIMD libjpeg-turbo, only the crop window and in bands ({JpegStreamLibrary.Description})",
        (not null, null) => $"JPEGs decode whole with {TurboJpegLibrary.Description} (SIMD libjpeg-turbo), not windowed: {JpegStreamLibrary.Description}",
        (null, not null) => $"JPEGs decode with SIMD libjpeg-turbo, only the crop window and in bands ({JpegStreamLibrary.Description}); libturbojpeg not found ({TurboJpegLibrary.Description}), which only matters where the windowed decoder is missing (install libturbojpeg0)",
        _ => $"libturbojpeg not found ({TurboJpegLibrary.Description}) and {JpegStreamLibrary.Description}; JPEGs decode with SkiaSharp's non-SIMD libjpeg-turbo, about 2x slower (install libturbojpeg0)",
    };

    /// <summary>Whether JPEGs decode whole (the windowed decoder is missing), more slowly than they could: logged as a warning.</summary>
    public static bool JpegDecoderFallback => JpegStreamLibrary.Instance is null;
    public int OutputHeight => Config.CropHeight;
    public int OutputWidth => Config.CropWidth;
    public int OutputLength => 3 * OutputHeight * OutputWidth;

    /// <summary>
    /// HF rescales in float64 and then casts to float32. The JSON factor (e.g. 0.00392156862745098) only survives as a
    /// float here, so when it is the reciprocal of an integer (the usual 1/255) divide by that integer in double instead,
    /// which reproduces the float64 product of the original JSON value.
    /// </summary>
    private static float Rescale(int value, float factor)
    {
        double reciprocal = Math.Round(1.0 / factor);
        if (reciprocal >= 1 && reciprocal <= 65535 && (float)(1.0 / reciprocal) == factor)
            return (float)(value / reciprocal);
        return (float)(value * (double)factor);
    }

    /// <summary>Reads the format, dimensions and EXIF orientation from the header without decoding pixels.</summary>
    /// <exception cref="InvalidImageException">Empty input, an unknown format, or an unreadable header.</exception>
    public static unsafe ImageHeader ReadHeader(ReadOnlySpan<byte> encodedImage)
    {
        if (encodedImage.IsEmpty)
            throw new InvalidImageException(InvalidImageReason.Empty, "the image is empty");
        fixed (byte* bytes = encodedImage)
        {
            using var data = SKData.Create((IntPtr)bytes, encodedImage.Length);
            using var codec = OpenCodec(data);
            return HeaderOf(codec);
        }
    }

    /// <summary>
    /// Reads the header and applies the pixel limit without decoding: throws <see cref="InvalidImageException"/> for
    /// what <see cref="Preprocess"/> would refuse before decoding. Corrupt image data past the header is only found by
    /// <see cref="Preprocess"/>.
    /// </summary>
    public ImageHeader CheckHeader(ReadOnlySpan<byte> encodedImage)
    {
        var header = ReadHeader(encodedImage);
        CheckPixelLimit(header);
        return header;
    }

    private void CheckPixelLimit(ImageHeader header)
    {
        if (header.PixelCount > MaxPixels)
            throw new InvalidImageException(InvalidImageReason.TooManyPixels,
                $"the image has {header.StoredWidth}x{header.StoredHeight} pixels, more than the limit of {MaxPixels}");
    }

    /// <summary>
    /// The image is decoded at scale 1 / this: 1 in exact mode and for anything but JPEG; in fast mode, for a JPEG, the
    /// <see cref="PreprocessingMode.Fast"/> choice of 1, 2, 4 or 8.
    /// </summary>
    public int DecodeScaleDenominator(ImageHeader header) =>
        header.Format == nameof(SKEncodedImageFormat.Jpeg) && Mode == PreprocessingMode.Fast && Config.DoResize
            ? JpegScale.Denominator(header.StoredWidth, header.StoredHeight, Config.ShortestEdge)
            : 1;

    /// <summary>Throws <see cref="InvalidImageException"/> for anything that is not a decodable image within the pixel limit.</summary>
    public unsafe void Preprocess(ReadOnlySpan<byte> encodedImage, Span<float> destination)
    {
        if (destination.Length < OutputLength)
            throw new ArgumentException($"destination holds {destination.Length} floats, {OutputLength} needed", nameof(destination));
        if (encodedImage.IsEmpty)
            throw new InvalidImageException(InvalidImageReason.Empty, "the image is empty");

        fixed (byte* bytes = encodedImage)
        {
            // SKData over the caller's (pinned) bytes: no copy; it is disposed before the pin ends.
            using var data = SKData.Create((IntPtr)bytes, encodedImage.Length);
            using var codec = OpenCodec(data);
            var header = HeaderOf(codec);
            CheckPixelLimit(header);

            bool jpeg = codec.EncodedFormat == SKEncodedImageFormat.Jpeg;
            int denominator = DecodeScaleDenominator(header);
            if (jpeg && _jpegStream is not null && TryTransformJpegWindow(_jpegStream, encodedImage, header, denominator, destination[..OutputLength]))
                return;
            // A JPEG the windowed decoder refused would fail in libturbojpeg too, so only without it is libturbojpeg
            // tried; whatever it refuses, SkiaSharp decides what is wrong with.
            var wholeJpegDecoder = jpeg && _jpegStream is null ? _turboJpeg : null;
            NativeBuffer? buffer = null;
            try
            {
                if (wholeJpegDecoder is null
                    || !TurboJpegDecoder.TryDecode(wholeJpegDecoder, encodedImage, denominator, NativeBufferPool.Shared, out buffer, out var image))
                    image = DecodeWithSkia(codec, header, denominator, out buffer);
                Transform(image, header, destination[..OutputLength]);
            }
            finally
            {
                buffer?.Dispose();
            }
        }
    }

    /// <summary>
    /// The windowed JPEG path alone: true when it decoded the image into <paramref name="destination"/>, false when
    /// there is no windowed decoder or it refused the image (<see cref="Preprocess"/> then hands the image on). Lets
    /// tests tell that path's output from a fallback's, which has the same pixels.
    /// </summary>
    internal bool TryPreprocessJpegWindow(ReadOnlySpan<byte> jpeg, Span<float> destination)
    {
        if (_jpegStream is null)
            return false;
        var header = CheckHeader(jpeg);
        return header.Format == nameof(SKEncodedImageFormat.Jpeg)
            && TryTransformJpegWindow(_jpegStream, jpeg, header, DecodeScaleDenominator(header), destination[..OutputLength]);
    }

    private static SKCodec OpenCodec(SKData data)
    {
        var stream = new SKMemoryStream(data);
        var codec = SKCodec.Create(stream, out var result);
        if (codec is null)
        {
            // Skia has already released the stream. It reports short or unrecognised input in several ways; what
            // matters to the client is whether the bytes even claim to be a supported format.
            if (result == SKCodecResult.Unimplemented || !HasKnownSignature(data.AsSpan()))
                throw new InvalidImageException(InvalidImageReason.UnsupportedFormat,
                    "the data is not a supported image format (JPEG, PNG, WebP, GIF, BMP)");
            throw new InvalidImageException(InvalidImageReason.Corrupt, $"the image header cannot be read ({result})");
        }

        var format = codec.EncodedFormat;
        if (format is not (SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Png or SKEncodedImageFormat.Webp
            or SKEncodedImageFormat.Gif or SKEncodedImageFormat.Bmp))
        {
            codec.Dispose();
            throw new InvalidImageException(InvalidImageReason.UnsupportedFormat,
                $"{format} images are not supported (JPEG, PNG, WebP, GIF, BMP are)");
        }
        return codec;
    }

    /// <summary>Whether the bytes start like one of the supported formats (possibly truncated).</summary>
    private static bool HasKnownSignature(ReadOnlySpan<byte> bytes)
    {
        static bool StartsLike(ReadOnlySpan<byte> data, ReadOnlySpan<byte> magic) =>
            data.Length >= magic.Length ? data.StartsWith(magic) : magic.StartsWith(data);

        return StartsLike(bytes, [0xFF, 0xD8, 0xFF])
            || StartsLike(bytes, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])
            || StartsLike(bytes, "GIF8"u8)
            || StartsLike(bytes, "BM"u8)
            || StartsLike(bytes, "RIFF"u8);
    }

    private static ImageHeader HeaderOf(SKCodec codec)
    {
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0)
            throw new InvalidImageException(InvalidImageReason.Corrupt, "the image has no pixels");
        int orientation = (int)codec.EncodedOrigin;
        if (orientation is < 1 or > 8)
            orientation = 1;
        return new ImageHeader(codec.EncodedFormat.ToString(), info.Width, info.Height, orientation);
    }

    private static unsafe DecodedImage DecodeWithSkia(SKCodec codec, ImageHeader header, int denominator, out NativeBuffer? buffer)
    {
        // Unpremultiplied RGBA without a colour space: the stored R, G, B values, untouched by alpha or ICC profiles
        // (Pillow's convert("RGB") drops alpha and ignores profiles too). Grey decodes replicated into R, G, B.
        var size = denominator == 1
            ? new SKSizeI(header.StoredWidth, header.StoredHeight)
            : codec.GetScaledDimensions(1f / denominator);
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rented = NativeBufferPool.Shared.Rent((nuint)info.BytesSize64);
        var result = codec.GetPixels(info, (IntPtr)rented.Pointer, info.RowBytes, new SKCodecOptions(0));
        if (result == SKCodecResult.Success)
        {
            buffer = rented;
            return new DecodedImage(rented.Pointer, info.Width, info.Height, 4, info.RowBytes);
        }
        rented.Dispose();
        buffer = null;
        switch (result)
        {
            case SKCodecResult.IncompleteInput:
                throw new InvalidImageException(InvalidImageReason.Corrupt, "the image data is truncated");
            case SKCodecResult.ErrorInInput:
            case SKCodecResult.InvalidInput:
                throw new InvalidImageException(InvalidImageReason.Corrupt, "the image data is corrupt");
            default:
                throw new InvalidImageException(InvalidImageReason.UnsupportedFormat, $"the image cannot be decoded ({result})");
        }
    }

    /// <summary>
    /// Orientation, resize, rescale, centre crop, channel flip and CHW layout, from decoded pixels. The output geometry
    /// comes from the header's (full) size; <paramref name="image"/> may be a reduced-scale decode of it (fast mode), in
    /// which case the resize starts from the decoded size.
    /// </summary>
    private unsafe void Transform(DecodedImage image, ImageHeader header, Span<float> destination)
    {
        using var plan = ResizePlan.For(Config, header, image.Width, image.Height);
        byte* intermediate = (byte*)NativeMemory.Alloc(plan.IntermediateBytes);
        try
        {
            HorizontalPass(image, header.Orientation, plan.SourceRowStart, plan.SourceRows, plan.Horizontal, intermediate);
            VerticalPass(plan, intermediate, destination);
        }
        finally
        {
            NativeMemory.Free(intermediate);
        }
    }

    /// <summary>
    /// <see cref="Transform"/> for a JPEG decoded by <see cref="JpegStreamDecoder"/>: only the stored window the plan
    /// reads is decoded, and for orientations 1 to 4 the horizontal pass runs on each band of rows as it arrives. Stored
    /// columns become displayed rows for orientations 5 to 8, so there the window arrives as one band. Returns false,
    /// with <paramref name="destination"/> to be rewritten, when the decoder refuses the image.
    /// </summary>
    private unsafe bool TryTransformJpegWindow(JpegStreamLibrary library, ReadOnlySpan<byte> jpeg, ImageHeader header, int denominator,
        Span<float> destination)
    {
        int width = JpegScale.Scaled(header.StoredWidth, denominator), height = JpegScale.Scaled(header.StoredHeight, denominator);
        using var plan = ResizePlan.For(Config, header, width, height);
        var window = plan.StoredWindowOf(header.Orientation, width, height);
        nint intermediate = (nint)NativeMemory.Alloc(plan.IntermediateBytes);
        try
        {
            int orientation = header.Orientation;
            bool swapsAxes = header.SwapsAxes, upsideDown = orientation is 3 or 4;
            nint outputRow = (nint)plan.Horizontal.Count * 3;
            bool decoded = JpegStreamDecoder.TryDecode(library, jpeg, denominator, width, height, window,
                swapsAxes ? int.MaxValue : BandRows, NativeBufferPool.Shared, (band, firstRow, rows) =>
                {
                    if (swapsAxes)
                    {
                        HorizontalPass(band, orientation, plan.SourceRowStart, plan.SourceRows, plan.Horizontal, (byte*)intermediate);
                        return;
                    }
                    int displayedRow = upsideDown ? height - firstRow - rows : firstRow;
                    HorizontalPass(band, orientation, displayedRow, rows, plan.Horizontal,
                        (byte*)intermediate + (displayedRow - plan.SourceRowStart) * outputRow);
                });
            if (!decoded)
                return false;
            VerticalPass(plan, (byte*)intermediate, destination);
            return true;
        }
        finally
        {
            NativeMemory.Free((void*)intermediate);
        }
    }

    /// <summary>Pillow's vertical pass from the horizontal pass's rows into the crop, with rescale, channel order and CHW layout.</summary>
    private unsafe void VerticalPass(ResizePlan plan, byte* intermediate, Span<float> destination)
    {
        var config = Config;
        int cropWidth = config.CropWidth, plane = config.CropHeight * cropWidth;
        if (plan.Padded)
            destination.Clear();
        fixed (float* output = destination)
        {
            float* first = output + plan.RowFirst * cropWidth + plan.ColFirst;
            float* red = first + (config.DoFlipChannelOrder ? 2 * plane : 0);
            float* green = first + plane;
            float* blue = first + (config.DoFlipChannelOrder ? 0 : 2 * plane);
            PillowBilinearResampler.Vertical(intermediate, plan.Horizontal.Count, plan.SourceRowStart, plan.Vertical, red, green, blue, cropWidth, _lookup);
        }
    }

    /// <summary>Pillow's horizontal pass over displayed rows <c>[rowStart, rowStart + rowCount)</c>, reading through the EXIF orientation.</summary>
    private unsafe void HorizontalPass(DecodedImage image, int orientation, int rowStart, int rowCount, ResampleAxis axis, byte* destination)
    {
        if (!_vectorResampler)
        {
            var (origin, stepX, stepY) = OrientationSteps(orientation, image);
            PillowBilinearResampler.Horizontal(image.Pixels, origin, stepX, stepY, rowStart, rowCount, axis, destination);
            return;
        }
        if (orientation >= 5)
        {
            VectorHorizontalResampler.AlongColumns(image, reverseRows: orientation is 6 or 7, reverseColumns: orientation is 7 or 8,
                rowStart, rowCount, axis, destination);
            return;
        }
        bool upsideDown = orientation is 3 or 4;
        byte* firstRow = image.Row(upsideDown ? image.Height - 1 - rowStart : rowStart);
        VectorHorizontalResampler.AlongRows(firstRow, upsideDown ? -image.RowBytes : image.RowBytes, rowCount, image.BytesPerPixel,
            mirrored: orientation is 2 or 3, image.Width, axis, destination);
    }

    /// <summary>
    /// Byte offset of displayed pixel (0, 0) in the stored pixels and the byte steps for displayed x + 1 and y + 1,
    /// so that reading through them applies the EXIF orientation without moving any pixels.
    /// </summary>
    internal static (nint Origin, nint StepX, nint StepY) OrientationSteps(int orientation, DecodedImage image)
    {
        nint pixel = image.BytesPerPixel, row = image.RowBytes;
        nint lastColumn = (image.Width - 1) * pixel, lastRow = (image.Height - 1) * row;
        return orientation switch
        {
            2 => (lastColumn, -pixel, row),                 // mirrored horizontally
            3 => (lastRow + lastColumn, -pixel, -row),      // rotated 180
            4 => (lastRow, pixel, -row),                    // mirrored vertically
            5 => (0, row, pixel),                           // transposed
            6 => (lastRow, -row, pixel),                    // rotate 90 clockwise to display
            7 => (lastRow + lastColumn, -row, -pixel),      // transversed
            8 => (lastColumn, row, -pixel),                 // rotate 90 counter-clockwise to display
            _ => (0, pixel, row),
        };
    }
}
