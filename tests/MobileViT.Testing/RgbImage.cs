using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using SkiaSharp;

namespace MobileViT.Testing;

/// <summary>An 8-bit RGB raster used to build test images.</summary>
public sealed class RgbImage(int width, int height)
{
    public int Width { get; } = width;
    public int Height { get; } = height;
    public byte[] Pixels { get; } = new byte[width * height * 3];

    public static RgbImage Create(int width, int height, Func<int, int, (byte R, byte G, byte B)> color)
    {
        var image = new RgbImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image.Set(x, y, color(x, y));
        return image;
    }

    public (byte R, byte G, byte B) Get(int x, int y)
    {
        int i = (y * Width + x) * 3;
        return (Pixels[i], Pixels[i + 1], Pixels[i + 2]);
    }

    public void Set(int x, int y, (byte R, byte G, byte B) c)
    {
        int i = (y * Width + x) * 3;
        (Pixels[i], Pixels[i + 1], Pixels[i + 2]) = c;
    }

    /// <summary>New image whose pixel (x, y) is this image's <paramref name="source"/>(x, y), with the given size.</summary>
    private RgbImage Remap(int width, int height, Func<int, int, (int X, int Y)> source) =>
        Create(width, height, (x, y) => { var (sx, sy) = source(x, y); return Get(sx, sy); });

    public RgbImage FlipHorizontal() => Remap(Width, Height, (x, y) => (Width - 1 - x, y));
    public RgbImage FlipVertical() => Remap(Width, Height, (x, y) => (x, Height - 1 - y));
    public RgbImage Transpose() => Remap(Height, Width, (x, y) => (y, x));

    /// <summary>What a viewer shows for stored pixels tagged with EXIF orientation 1..8 (composed from flips and a transpose).</summary>
    public RgbImage AsDisplayed(int orientation) => orientation switch
    {
        1 => this,
        2 => FlipHorizontal(),
        3 => FlipHorizontal().FlipVertical(),
        4 => FlipVertical(),
        5 => Transpose(),
        6 => Transpose().FlipHorizontal(), // rotate 90 degrees clockwise
        7 => Transpose().FlipHorizontal().FlipVertical(),
        8 => Transpose().FlipVertical(), // rotate 90 degrees counter-clockwise
        _ => throw new ArgumentOutOfRangeException(nameof(orientation)),
    };

    public SKBitmap ToBitmap()
    {
        var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[Width * Height * 4];
        for (int i = 0, j = 0; i < Pixels.Length; i += 3, j += 4)
        {
            rgba[j] = Pixels[i];
            rgba[j + 1] = Pixels[i + 1];
            rgba[j + 2] = Pixels[i + 2];
            rgba[j + 3] = 255;
        }
        Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        return bitmap;
    }

    public static RgbImage Decode(byte[] encoded)
    {
        using var bitmap = SKBitmap.Decode(encoded)
            ?? throw new InvalidOperationException("cannot decode");
        using var rgbaBitmap = bitmap.Copy(SKColorType.Rgba8888);
        var rgba = new byte[rgbaBitmap.Width * rgbaBitmap.Height * 4];
        Marshal.Copy(rgbaBitmap.GetPixels(), rgba, 0, rgba.Length);
        var image = new RgbImage(rgbaBitmap.Width, rgbaBitmap.Height);
        for (int i = 0, j = 0; i < image.Pixels.Length; i += 3, j += 4)
            (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2]) = (rgba[j], rgba[j + 1], rgba[j + 2]);
        return image;
    }

    public byte[] EncodePng()
    {
        using var bitmap = ToBitmap();
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public byte[] EncodeJpeg(int quality = 95)
    {
        using var bitmap = ToBitmap();
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }

    public byte[] EncodeWebpLossless()
    {
        using var bitmap = ToBitmap();
        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 100))
            ?? throw new InvalidOperationException("SkiaSharp could not encode lossless WebP.");
        return data.ToArray();
    }

    /// <summary>Uncompressed 24-bit bottom-up BMP (Skia cannot encode BMP).</summary>
    public byte[] EncodeBmp()
    {
        int rowBytes = (Width * 3 + 3) & ~3;
        int imageBytes = rowBytes * Height;
        var bmp = new byte[54 + imageBytes];
        bmp[0] = (byte)'B';
        bmp[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), Width);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), Height);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(34), imageBytes);
        for (int y = 0; y < Height; y++)
        {
            int row = 54 + (Height - 1 - y) * rowBytes;
            for (int x = 0; x < Width; x++)
            {
                var (r, g, b) = Get(x, y);
                (bmp[row + 3 * x], bmp[row + 3 * x + 1], bmp[row + 3 * x + 2]) = (b, g, r);
            }
        }
        return bmp;
    }

    /// <summary>
    /// GIF89a with a global palette built from the image's colours (at most 256). LZW data is written as literal
    /// 9-bit codes with a clear code often enough that the code width never grows (Skia cannot encode GIF).
    /// </summary>
    public byte[] EncodeGif()
    {
        var palette = new List<(byte, byte, byte)>();
        var indexOf = new Dictionary<(byte, byte, byte), int>();
        var indices = new byte[Width * Height];
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                var c = Get(x, y);
                if (!indexOf.TryGetValue(c, out var index))
                {
                    index = palette.Count;
                    indexOf[c] = index;
                    palette.Add(c);
                }
                indices[y * Width + x] = checked((byte)index);
            }

        var gif = new List<byte>();
        gif.AddRange("GIF89a"u8.ToArray());
        gif.AddRange(BitConverter.GetBytes((ushort)Width));
        gif.AddRange(BitConverter.GetBytes((ushort)Height));
        gif.AddRange([0xF7, 0, 0]); // global colour table of 256 entries, 8 bits per primary
        for (int i = 0; i < 256; i++)
        {
            var (r, g, b) = i < palette.Count ? palette[i] : ((byte)0, (byte)0, (byte)0);
            gif.AddRange([r, g, b]);
        }
        gif.Add(0x2C);
        gif.AddRange([0, 0, 0, 0]);
        gif.AddRange(BitConverter.GetBytes((ushort)Width));
        gif.AddRange(BitConverter.GetBytes((ushort)Height));
        gif.Add(0);
        gif.Add(8); // LZW minimum code size

        const int clear = 256, end = 257;
        var bits = new List<byte>();
        int buffer = 0, bitCount = 0;
        void Emit(int code)
        {
            buffer |= code << bitCount;
            bitCount += 9;
            while (bitCount >= 8)
            {
                bits.Add((byte)buffer);
                buffer >>= 8;
                bitCount -= 8;
            }
        }
        for (int i = 0; i < indices.Length; i++)
        {
            if (i % 250 == 0)
                Emit(clear);
            Emit(indices[i]);
        }
        Emit(end);
        if (bitCount > 0)
            bits.Add((byte)buffer);
        for (int i = 0; i < bits.Count; i += 255)
        {
            int n = Math.Min(255, bits.Count - i);
            gif.Add((byte)n);
            gif.AddRange(bits.GetRange(i, n));
        }
        gif.Add(0);
        gif.Add(0x3B);
        return gif.ToArray();
    }

    /// <summary>EXIF orientations 1 to 8, for theories (MemberData).</summary>
    public static IEnumerable<object[]> Orientations => Enumerable.Range(1, 8).Select(o => new object[] { o });

    /// <summary>Inserts an APP1 Exif segment carrying only an Orientation tag right after the JPEG's SOI marker.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        if (jpeg[0] != 0xFF || jpeg[1] != 0xD8)
            throw new ArgumentException("not a JPEG", nameof(jpeg));
        var tiff = new byte[]
        {
            (byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, // big-endian TIFF header, IFD0 at offset 8
            0, 1, // one entry
            0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte)orientation, 0, 0, // Orientation, SHORT, count 1, value
            0, 0, 0, 0, // no next IFD
        };
        var payload = Encoding.ASCII.GetBytes("Exif\0\0").Concat(tiff).ToArray();
        int length = payload.Length + 2;
        var segment = new byte[] { 0xFF, 0xE1, (byte)(length >> 8), (byte)length }.Concat(payload);
        return jpeg.Take(2).Concat(segment).Concat(jpeg.Skip(2)).ToArray();
    }

    /// <summary>A PNG signature plus IHDR (valid CRC) claiming the given size, an empty IDAT and IEND: no pixel data.</summary>
    public static byte[] PngHeaderOnly(int width, int height)
    {
        var png = new List<byte> { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // truecolour
        AddChunk(png, "IHDR", ihdr);
        AddChunk(png, "IDAT", []);
        AddChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void AddChunk(List<byte> png, string type, byte[] data)
    {
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        var word = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.AddRange(word);
        png.AddRange(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typeAndData));
        png.AddRange(word);
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
