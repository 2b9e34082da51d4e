namespace MobileViT.Inference.Preprocessing;

/// <summary>
/// Decodes only a window of a JPEG, in bands of rows, through <see cref="JpegStreamLibrary"/>: the columns outside the
/// window are never computed (libjpeg's column crop skips their IDCT, upsampling and colour conversion), the rows above
/// it are skipped, and each band is handed to the caller while it is still in cache, so no whole-image buffer exists.
/// </summary>
internal static unsafe class JpegStreamDecoder
{
    /// <summary>
    /// Pixels kept decoded beyond each side of the window. libjpeg's fancy upsampling computes the first and last column
    /// of a cropped region from that region alone, so they can differ from a whole-image decode; a margin keeps them out
    /// of the window. The same margin above the window keeps the first rows used clear of the skip.
    /// </summary>
    public const int Margin = 16;

    /// <summary>Receives stored rows <c>[firstRow, firstRow + rows)</c> as <paramref name="band"/>, an image of the full decoded size whose pixels are valid in those rows and the window's columns only.</summary>
    public delegate void BandHandler(DecodedImage band, int firstRow, int rows);

    /// <summary>
    /// Decodes stored rows <c>window.RowStart</c> to <c>window.RowEnd</c> and at least the window's columns at scale
    /// 1/<paramref name="denominator"/>, in bands of up to <paramref name="bandRows"/> rows, then reads the rest of the
    /// image to check it. Returns false for anything it does not decode cleanly (CMYK and YCCK, any error or warning,
    /// a size other than the expected one); bands handed over before a failure must then be thrown away.
    /// </summary>
    public static bool TryDecode(JpegStreamLibrary library, ReadOnlySpan<byte> jpeg, int denominator, int expectedWidth, int expectedHeight,
        StoredWindow window, int bandRows, NativeBufferPool pool, BandHandler onBand)
    {
        nint decoder = library.Create();
        if (decoder == 0)
            return false;
        try
        {
            fixed (byte* bytes = jpeg)
            {
                int cropX = Math.Max(0, window.ColumnStart - Margin);
                int cropWidth = Math.Min(expectedWidth, window.ColumnEnd + Margin) - cropX;
                if (library.Start(decoder, bytes, jpeg.Length, denominator, out int width, out int height, ref cropX, ref cropWidth) != 0)
                    return false;
                if (width != expectedWidth || height != expectedHeight || cropX > window.ColumnStart || cropX + cropWidth < window.ColumnEnd)
                {
                    library.Abort(decoder);
                    return false;
                }

                int first = Math.Max(0, window.RowStart - Margin);
                if (!library.Skip(decoder, first))
                    return false;
                nint pitch = (nint)cropWidth * 3;
                int band = Math.Min(bandRows, window.RowEnd - first);
                using var buffer = pool.Rent((nuint)(pitch * band));
                for (int row = first; row < window.RowEnd; row += band)
                {
                    int rows = Math.Min(band, window.RowEnd - row);
                    if (!library.Read(decoder, buffer.Pointer, pitch, rows))
                        return false;
                    // Rows of the margin above the window are decoded only so that the skip ends before them.
                    int skipped = Math.Max(0, window.RowStart - row);
                    if (rows > skipped)
                        onBand(new DecodedImage(buffer.Pointer - row * pitch - cropX * 3, width, height, 3, pitch), row + skipped, rows - skipped);
                }
                return library.Finish(decoder);
            }
        }
        finally
        {
            library.Destroy(decoder);
        }
    }
}
