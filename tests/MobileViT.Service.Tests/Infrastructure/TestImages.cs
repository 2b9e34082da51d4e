using SkiaSharp;

namespace MobileViT.Service.Tests.Infrastructure;

/// <summary>Encoded test images made on the fly, plus the shared fixture photograph-like JPEG.</summary>
public static class TestImages
{
    public static byte[] Jpeg(int width = 320, int height = 240, int seed = 1) => Encode(width, height, seed, SKEncodedImageFormat.Jpeg);

    public static byte[] Png(int width = 320, int height = 240, int seed = 1) => Encode(width, height, seed, SKEncodedImageFormat.Png);

    public static byte[] SharedJpeg() => File.ReadAllBytes(Path.Combine(SharedFixtures.Preprocess, "noise_300x517.jpg"));

    /// <summary>A PNG whose header claims <paramref name="width"/> x <paramref name="height"/> with no real pixel data: a decompression bomb.</summary>
    public static byte[] PngHeaderOnly(int width, int height) => RgbImage.PngHeaderOnly(width, height);

    private static byte[] Encode(int width, int height, int seed, SKEncodedImageFormat format)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var (r0, g0, b0) = (random.Next(256), random.Next(256), random.Next(256));
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
        {
            var n = random.Next(32);
            bitmap.SetPixel(x, y, new SKColor((byte)((r0 + x + n) % 256), (byte)((g0 + y + n) % 256), (byte)((b0 + x * y / 64) % 256)));
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }
}
