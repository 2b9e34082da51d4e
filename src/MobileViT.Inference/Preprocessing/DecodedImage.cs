namespace MobileViT.Inference.Preprocessing;

/// <summary>Decoded pixels as stored (before the EXIF orientation): R, G, B at byte offsets 0, 1, 2 of each pixel.</summary>
internal readonly unsafe struct DecodedImage(byte* pixels, int width, int height, int bytesPerPixel, nint rowBytes)
{
    public byte* Pixels { get; } = pixels;
    public int Width { get; } = width;
    public int Height { get; } = height;

    /// <summary>3 (RGB) or 4 (RGBA, alpha ignored).</summary>
    public int BytesPerPixel { get; } = bytesPerPixel;
    public nint RowBytes { get; } = rowBytes;

    public byte* Row(int y) => Pixels + y * RowBytes;
}
