namespace MobileViT.Inference.Preprocessing;

/// <summary>
/// The geometry of one shortest-edge resize and centre crop over a decoded image (full size, or a reduced-scale JPEG
/// decode in fast mode): the filter axes restricted to the output the crop keeps, the displayed rows and columns those
/// read, where the kept output lands in the crop, and the same window in stored (pre-EXIF-orientation) pixels, which is
/// all a decoder has to produce.
/// </summary>
internal sealed class ResizePlan : IDisposable
{
    /// <summary>Largest resized edge accepted (extreme aspect ratios would otherwise overflow the resize arithmetic).</summary>
    private const int MaxResizedEdge = 1 << 24;

    private ResizePlan(ResampleAxis vertical, ResampleAxis horizontal, int rowFirst, int rowEnd, int colFirst, int colEnd, bool padded)
    {
        Vertical = vertical;
        Horizontal = horizontal;
        RowFirst = rowFirst;
        RowEnd = rowEnd;
        ColFirst = colFirst;
        ColEnd = colEnd;
        Padded = padded;
    }

    /// <summary>Filter weights down the displayed image, for the output rows the crop keeps.</summary>
    public ResampleAxis Vertical { get; }

    /// <summary>Filter weights across the displayed image, for the output columns the crop keeps.</summary>
    public ResampleAxis Horizontal { get; }

    /// <summary>Crop rows <c>[RowFirst, RowEnd)</c> and columns <c>[ColFirst, ColEnd)</c> come from the image; the rest is zero padding.</summary>
    public int RowFirst { get; }
    public int RowEnd { get; }
    public int ColFirst { get; }
    public int ColEnd { get; }

    /// <summary>Whether part of the crop is zero padding (the resized image is smaller than the crop).</summary>
    public bool Padded { get; }

    /// <summary>First displayed row the vertical pass reads, and how many it reads: the rows the horizontal pass computes.</summary>
    public int SourceRowStart => Vertical.InputStart;
    public int SourceRows => Vertical.InputEnd - Vertical.InputStart;

    /// <summary>Bytes of the horizontal pass's output (RGB).</summary>
    public nuint IntermediateBytes => (nuint)SourceRows * (nuint)Horizontal.Count * 3;

    /// <summary>The plan for an image whose header is <paramref name="header"/>, decoded to <paramref name="decodedWidth"/> x <paramref name="decodedHeight"/> stored pixels.</summary>
    public static ResizePlan For(PreprocessorConfig config, ImageHeader header, int decodedWidth, int decodedHeight)
    {
        var (resizedWidth, resizedHeight) = config.DoResize
            ? ResizedSize(header.Width, header.Height, config.ShortestEdge)
            : (header.Width, header.Height);
        int width = header.SwapsAxes ? decodedHeight : decodedWidth;
        int height = header.SwapsAxes ? decodedWidth : decodedHeight;

        int cropHeight = config.CropHeight, cropWidth = config.CropWidth;
        // HF centre_crop: top = (h - ch) // 2 (floor); when the image is smaller it is zero-padded by
        // ceil((ch - h) / 2) first, which lands output row i on image row i + top all the same.
        int top = (resizedHeight - cropHeight) >> 1;
        int left = (resizedWidth - cropWidth) >> 1;
        int rowFirst = Math.Max(0, -top), rowEnd = Math.Min(cropHeight, resizedHeight - top);
        int colFirst = Math.Max(0, -left), colEnd = Math.Min(cropWidth, resizedWidth - left);
        bool padded = rowFirst > 0 || colFirst > 0 || rowEnd < cropHeight || colEnd < cropWidth;

        var vertical = ResampleAxis.Create(height, resizedHeight, rowFirst + top, rowEnd - rowFirst);
        try
        {
            var horizontal = ResampleAxis.Create(width, resizedWidth, colFirst + left, colEnd - colFirst);
            return new ResizePlan(vertical, horizontal, rowFirst, rowEnd, colFirst, colEnd, padded);
        }
        catch
        {
            vertical.Dispose();
            throw;
        }
    }

    /// <summary>HF <c>get_resize_output_image_size(default_to_square=False)</c>: short edge to <paramref name="shortestEdge"/>, long edge <c>int(s * long / short)</c>.</summary>
    public static (int Width, int Height) ResizedSize(int width, int height, int shortestEdge)
    {
        int shortSide = Math.Min(width, height), longSide = Math.Max(width, height);
        double newLong = (double)((long)shortestEdge * longSide) / shortSide;
        if (newLong >= MaxResizedEdge)
            throw new InvalidImageException(InvalidImageReason.TooManyPixels,
                $"the image's aspect ratio ({width}x{height}) is too extreme");
        int resizedLong = (int)newLong;
        return width <= height ? (shortestEdge, resizedLong) : (resizedLong, shortestEdge);
    }

    /// <summary>
    /// The stored rows <c>[RowStart, RowEnd)</c> and columns <c>[ColumnStart, ColumnEnd)</c> the displayed window of
    /// this plan covers, for an image stored <paramref name="storedWidth"/> x <paramref name="storedHeight"/> with EXIF
    /// <paramref name="orientation"/>.
    /// </summary>
    public StoredWindow StoredWindowOf(int orientation, int storedWidth, int storedHeight)
    {
        int rowStart = Vertical.InputStart, rowEnd = Vertical.InputEnd;       // displayed rows
        int colStart = Horizontal.InputStart, colEnd = Horizontal.InputEnd;   // displayed columns
        (int, int) Reversed(int start, int end, int size) => (size - end, size - start);
        var ((sr0, sr1), (sc0, sc1)) = orientation switch
        {
            2 => ((rowStart, rowEnd), Reversed(colStart, colEnd, storedWidth)),
            3 => (Reversed(rowStart, rowEnd, storedHeight), Reversed(colStart, colEnd, storedWidth)),
            4 => (Reversed(rowStart, rowEnd, storedHeight), (colStart, colEnd)),
            // Axes swapped: displayed x runs down stored rows, displayed y across stored columns.
            5 => ((colStart, colEnd), (rowStart, rowEnd)),
            6 => (Reversed(colStart, colEnd, storedHeight), (rowStart, rowEnd)),
            7 => (Reversed(colStart, colEnd, storedHeight), Reversed(rowStart, rowEnd, storedWidth)),
            8 => ((colStart, colEnd), Reversed(rowStart, rowEnd, storedWidth)),
            _ => ((rowStart, rowEnd), (colStart, colEnd)),
        };
        return new StoredWindow(sr0, sr1, sc0, sc1);
    }

    public void Dispose()
    {
        Vertical.Dispose();
        Horizontal.Dispose();
    }
}
