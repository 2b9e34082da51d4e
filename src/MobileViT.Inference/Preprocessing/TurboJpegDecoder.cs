namespace MobileViT.Inference.Preprocessing;

/// <summary>Decodes JPEGs through <see cref="TurboJpegLibrary"/> into pooled RGB buffers.</summary>
internal static unsafe class TurboJpegDecoder
{
    /// <summary>
    /// Decodes at scale 1/<paramref name="denominator"/>. Returns false, with nothing to dispose, for anything it does not
    /// decode cleanly: CMYK and YCCK JPEGs (left to SkiaSharp, as before), and any error or warning, so that SkiaSharp
    /// decides whether the data is corrupt and the client sees the same answer with or without libturbojpeg.
    /// </summary>
    public static bool TryDecode(TurboJpegLibrary library, ReadOnlySpan<byte> jpeg, int denominator, NativeBufferPool pool,
        out NativeBuffer? buffer, out DecodedImage image)
    {
        buffer = null;
        image = default;
        nint handle = library.InitDecompress();
        if (handle == 0)
            return false;
        try
        {
            if (!library.DecompressHeader(handle, jpeg, out int width, out int height, out int colorspace)
                || width <= 0 || height <= 0
                || colorspace is TurboJpegLibrary.ColorspaceCmyk or TurboJpegLibrary.ColorspaceYcck)
                return false;

            int scaledWidth = JpegScale.Scaled(width, denominator), scaledHeight = JpegScale.Scaled(height, denominator);
            nint rowBytes = (nint)scaledWidth * 3;
            var rented = pool.Rent((nuint)(rowBytes * scaledHeight));
            if (!library.Decompress(handle, jpeg, rented.Pointer, scaledWidth, (int)rowBytes, scaledHeight))
            {
                rented.Dispose();
                return false;
            }
            buffer = rented;
            image = new DecodedImage(rented.Pointer, scaledWidth, scaledHeight, 3, rowBytes);
            return true;
        }
        finally
        {
            library.Destroy(handle);
        }
    }
}
