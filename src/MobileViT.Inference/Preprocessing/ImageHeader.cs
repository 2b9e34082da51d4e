namespace MobileViT.Inference.Preprocessing;

/// <summary>What an encoded image's header says, read without decoding any pixels.</summary>
/// <param name="Format">The container format, e.g. "Jpeg", "Png", "Webp", "Gif", "Bmp".</param>
/// <param name="StoredWidth">Width of the stored pixel grid.</param>
/// <param name="StoredHeight">Height of the stored pixel grid.</param>
/// <param name="Orientation">EXIF orientation 1..8 (1 = stored upright).</param>
public readonly record struct ImageHeader(string Format, int StoredWidth, int StoredHeight, int Orientation)
{
    /// <summary>Whether displaying the image swaps width and height (EXIF orientations 5 to 8).</summary>
    public bool SwapsAxes => Orientation >= 5;

    /// <summary>Width after applying the EXIF orientation.</summary>
    public int Width => SwapsAxes ? StoredHeight : StoredWidth;

    /// <summary>Height after applying the EXIF orientation.</summary>
    public int Height => SwapsAxes ? StoredWidth : StoredHeight;

    public long PixelCount => (long)StoredWidth * StoredHeight;
}
