using SkiaSharp;

namespace MobileViT.Service.Tests.Infrastructure;

/// <summary>Encoded test images made on the fly, plus the shared fixture photograph-like JPEG.</summary>
public static class TestImages
{
    public static byte[] Jpeg(int width = 320, int height = 240, int seed = 1) => Encode(width, height, seed, SKEncodedImageFormat.Jpeg);

    public static byte[] Png(int width = 320, int height = 240, int seed = 1) => Encode(width, height, seed, SKEncodedImageFormat.Png);

    public static byte[] SharedJpeg() => File.ReadAllBytes(Path.Combine(SharedFixtures.Preprocess, "noise_300x517.jpg"));

    /// <summary>A PNG signature and IHDR claiming <paramref name="width"/> x <paramref name="height"/>, with no pixel data: a decompression-bomb header.</summary>
    public static byte[] PngHeaderOnly(int width, int height)
    {
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        var chunkType = "IHDR"u8.ToArray();
        var crc = System.IO.Hashing.Crc32.HashToUInt32([.. chunkType, .. ihdr]);
        using var stream = new MemoryStream();
        stream.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        stream.Write([0, 0, 0, 13]);
        stream.Write(chunkType);
        stream.Write(ihdr);
        var crcBytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crcBytes, crc);
        stream.Write(crcBytes);
        return stream.ToArray();
    }

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
