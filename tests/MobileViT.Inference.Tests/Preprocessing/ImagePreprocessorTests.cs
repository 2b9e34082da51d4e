using System.Diagnostics;
using MobileViT.Inference.Preprocessing;
using Xunit.Abstractions;

namespace MobileViT.Inference.Tests.Preprocessing;

public sealed class ImagePreprocessorTests(ITestOutputHelper output)
{
    private static readonly ImagePreprocessor Default = new(PreprocessorConfig.MobileViTDefault, 50_000_000);

    /// <summary>An asymmetric, colourful test pattern with few enough colours for a GIF palette.</summary>
    private static RgbImage Pattern(int width, int height) => RgbImage.Create(width, height,
        (x, y) => ((byte)(x * 255 / (width - 1) / 32 * 32), (byte)(y * 255 / (height - 1) / 32 * 32), (byte)((x < width / 3 && y < height / 4) ? 255 : 40)));

    private static float[] Run(ImagePreprocessor preprocessor, byte[] encoded)
    {
        var result = new float[preprocessor.OutputLength];
        preprocessor.Preprocess(encoded, result);
        return result;
    }

    private static InvalidImageReason ReasonFor(byte[] encoded, ImagePreprocessor? preprocessor = null) =>
        Assert.Throws<InvalidImageException>(() => Run(preprocessor ?? Default, encoded)).Reason;

    [Theory]
    [MemberData(nameof(RgbImage.Orientations), MemberType = typeof(RgbImage))]
    public void ExifOrientation_EqualsPhysicallyReorientedImage(int orientation)
    {
        var jpeg = Pattern(60, 34).EncodeJpeg();
        var tagged = RgbImage.WithExifOrientation(jpeg, orientation);
        var header = ImagePreprocessor.ReadHeader(tagged);
        Assert.Equal(orientation, header.Orientation);

        // The reference: the JPEG's own decoded pixels, reoriented by hand and stored losslessly.
        var displayed = RgbImage.Decode(jpeg).AsDisplayed(orientation);
        Assert.Equal((displayed.Width, displayed.Height), (header.Width, header.Height));
        Assert.Equal(Run(Default, displayed.EncodePng()), Run(Default, tagged));
    }

    [Fact]
    public void ExifOrientation6_IsNotTheUnrotatedImage()
    {
        var jpeg = Pattern(60, 34).EncodeJpeg();
        Assert.NotEqual(Run(Default, jpeg), Run(Default, RgbImage.WithExifOrientation(jpeg, 6)));
    }

    [Fact]
    public void Formats_PngWebpBmpGif_DecodeToTheSameTensor()
    {
        var image = Pattern(71, 45);
        var png = image.EncodePng();
        var expected = Run(Default, png);
        Assert.Equal("Png", ImagePreprocessor.ReadHeader(png).Format);

        foreach (var (name, bytes) in new[]
                 {
                     ("Webp", image.EncodeWebpLossless()),
                     ("Bmp", image.EncodeBmp()),
                     ("Gif", image.EncodeGif()),
                 })
        {
            var header = ImagePreprocessor.ReadHeader(bytes);
            Assert.Equal(name, header.Format);
            Assert.Equal((71, 45), (header.Width, header.Height));
            Assert.True(expected.SequenceEqual(Run(Default, bytes)), name + " differs from PNG");
        }
    }

    [Fact]
    public void Jpeg_Decodes()
    {
        var result = Run(Default, Pattern(64, 48).EncodeJpeg());
        Assert.Contains(result, v => v > 0.5f);
        Assert.All(result, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void Empty_IsRejected()
    {
        Assert.Equal(InvalidImageReason.Empty, ReasonFor([]));
        Assert.Equal(InvalidImageReason.Empty, Assert.Throws<InvalidImageException>(() => ImagePreprocessor.ReadHeader([])).Reason);
    }

    [Fact]
    public void RandomBytes_AreUnsupportedFormat()
    {
        var random = new Random(1234);
        foreach (var length in new[] { 1, 7, 100, 5000 })
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            bytes[0] = (byte)'x'; // make sure no magic number matches by chance
            Assert.Equal(InvalidImageReason.UnsupportedFormat, ReasonFor(bytes));
        }
        Assert.Equal(InvalidImageReason.UnsupportedFormat, ReasonFor("hello, this is plain text and not an image"u8.ToArray()));
    }

    /// <summary>Random pixels: incompressible, so half the file really is half the pixel data.</summary>
    private static RgbImage Noise(int seed)
    {
        var random = new Random(seed);
        return RgbImage.Create(200, 150, (_, _) => ((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
    }

    [Theory]
    [InlineData("jpeg")]
    [InlineData("png")]
    public void TruncatedImage_IsCorrupt(string format)
    {
        var encoded = format == "jpeg" ? Noise(5).EncodeJpeg() : Noise(6).EncodePng();
        Assert.Equal(InvalidImageReason.Corrupt, ReasonFor(encoded[..(encoded.Length / 2)]));
    }

    [Fact]
    public void JpegCutInsideItsHeader_IsCorrupt()
    {
        var jpeg = Pattern(64, 48).EncodeJpeg();
        Assert.Equal(InvalidImageReason.Corrupt, ReasonFor(jpeg[..40]));
        Assert.Equal(InvalidImageReason.Corrupt, ReasonFor(jpeg[..3]));
    }

    [Fact]
    public void DecompressionBomb_IsRejectedFromTheHeader()
    {
        var bomb = RgbImage.PngHeaderOnly(100_000, 100_000);
        var header = ImagePreprocessor.ReadHeader(bomb);
        Assert.Equal((100_000, 100_000), (header.Width, header.Height));

        var destination = new float[Default.OutputLength];
        Assert.Equal(InvalidImageReason.TooManyPixels, ReasonFor(bomb)); // warm up (first throw, type loading)
        long before = GC.GetAllocatedBytesForCurrentThread();
        var stopwatch = Stopwatch.StartNew();
        var e = Assert.Throws<InvalidImageException>(() => Default.Preprocess(bomb, destination));
        Assert.Equal(InvalidImageReason.TooManyPixels, e.Reason);
        stopwatch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"bomb rejected in {stopwatch.Elapsed.TotalMilliseconds:F2} ms, {allocated} bytes allocated");
        Assert.True(allocated < 100_000, $"{allocated} bytes allocated");
    }

    [Fact]
    public void PixelLimit_IsInclusive()
    {
        var png = Pattern(40, 30).EncodePng();
        Run(new ImagePreprocessor(PreprocessorConfig.MobileViTDefault, 40 * 30), png);
        Assert.Equal(InvalidImageReason.TooManyPixels, ReasonFor(png, new ImagePreprocessor(PreprocessorConfig.MobileViTDefault, 40 * 30 - 1)));
    }

    [Fact]
    public void ExtremeAspectRatio_IsHandled()
    {
        // 1 x 3000: the resized image would be 288 x 864000; only the cropped part is computed.
        var tall = RgbImage.Create(1, 3000, (_, y) => ((byte)(y % 256), 100, 200));
        var result = Run(Default, tall.EncodePng());
        Assert.All(result, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void NoResize_SmallImage_IsCentredAndZeroPadded()
    {
        // 3 x 2 image, crop 4 x 4 (HF pads with ceil((4 - 3) / 2) = 1 column left, 1 row on top).
        var config = PreprocessorConfig.MobileViTDefault with { DoResize = false, CropHeight = 4, CropWidth = 4 };
        var preprocessor = new ImagePreprocessor(config, 1000);
        var image = RgbImage.Create(3, 2, (x, y) => ((byte)(10 * x + 100 * y + 1), (byte)(x + 2), (byte)(y + 3)));
        var result = Run(preprocessor, image.EncodePng());

        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++)
            {
                int sx = x - 1, sy = y - 1;
                bool inside = sx is >= 0 and < 3 && sy is >= 0 and < 2;
                var (r, g, b) = inside ? image.Get(sx, sy) : ((byte)0, (byte)0, (byte)0);
                Assert.Equal(b / 255f, result[0 * 16 + y * 4 + x], 6);
                Assert.Equal(g / 255f, result[1 * 16 + y * 4 + x], 6);
                Assert.Equal(r / 255f, result[2 * 16 + y * 4 + x], 6);
            }
    }

    [Fact]
    public void NoFlipNoRescale_KeepsRgbAndRawValues()
    {
        var config = PreprocessorConfig.MobileViTDefault with { DoResize = false, DoRescale = false, DoFlipChannelOrder = false, CropHeight = 2, CropWidth = 2 };
        var image = RgbImage.Create(2, 2, (x, y) => ((byte)(x + 10), (byte)(y + 20), 30));
        var result = Run(new ImagePreprocessor(config, 100), image.EncodePng());
        Assert.Equal(new float[] { 10, 11, 10, 11, 20, 20, 21, 21, 30, 30, 30, 30 }, result);
    }

    [Fact]
    public void ResizedSize_FollowsHuggingFace()
    {
        Assert.Equal((288, 288), ResizePlan.ResizedSize(257, 257, 288));
        Assert.Equal((417, 288), ResizePlan.ResizedSize(433, 299, 288)); // int(288 * 433 / 299) = 417
        Assert.Equal((288, 496), ResizePlan.ResizedSize(300, 517, 288)); // int(496.32)
        Assert.Equal((384, 288), ResizePlan.ResizedSize(640, 480, 288));
        Assert.Equal((360, 288), ResizePlan.ResizedSize(100, 80, 288));
    }

    [Theory]
    [InlineData(640, 384)]
    [InlineData(433, 417)]
    [InlineData(80, 288)]
    [InlineData(3000, 288)]
    [InlineData(300, 300)]
    public void ResampleAxis_SubsetEqualsFullAxis(int inSize, int outSize)
    {
        using var full = ResampleAxis.Create(inSize, outSize, 0, outSize);
        int first = outSize / 5, count = outSize / 2;
        using var part = ResampleAxis.Create(inSize, outSize, first, count);
        Assert.Equal(full.KernelSize, part.KernelSize);
        Assert.Equal(full.Bounds.Slice(2 * first, 2 * count).ToArray(), part.Bounds.ToArray());
        Assert.Equal(full.Weights.Slice(first * full.KernelSize, count * full.KernelSize).ToArray(), part.Weights.ToArray());
        for (int i = 0; i < outSize; i++)
        {
            int sum = 0;
            foreach (var w in full.Weights.Slice(i * full.KernelSize, full.KernelSize))
                sum += w;
            Assert.InRange(sum, (1 << 22) - full.KernelSize, (1 << 22) + full.KernelSize);
        }
    }

    [Fact]
    public void Concurrency_ManyThreadsGiveIdenticalResults()
    {
        var bytes = File.ReadAllBytes(Path.Combine(SharedFixtures.Preprocess, "noise_300x517.jpg"));
        var png = File.ReadAllBytes(Path.Combine(SharedFixtures.Preprocess, "rgba_640x480.png"));
        var expectedJpeg = Run(Default, bytes);
        var expectedPng = Run(Default, png);
        var failures = 0;
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var (input, expected) = i % 2 == 0 ? (bytes, expectedJpeg) : (png, expectedPng);
            if (!expected.AsSpan().SequenceEqual(Run(Default, input)))
                Interlocked.Increment(ref failures);
        });
        Assert.Equal(0, failures);
    }

    [Fact]
    public void Timing_Typical640x480Jpeg()
    {
        var photo = RgbImage.Decode(File.ReadAllBytes(Path.Combine(SharedFixtures.Preprocess, "rgba_640x480.png"))).EncodeJpeg(90);
        var destination = new float[Default.OutputLength];
        var info = new SkiaSharp.SKImageInfo(640, 480, SkiaSharp.SKColorType.Rgba8888, SkiaSharp.SKAlphaType.Unpremul);
        var pixels = new byte[info.BytesSize];
        void DecodeOnly()
        {
            using var codec = SkiaSharp.SKCodec.Create(new SkiaSharp.SKMemoryStream(photo));
            Assert.Equal(SkiaSharp.SKCodecResult.Success, codec.GetPixels(info, pixels));
        }
        void Full() => Default.Preprocess(photo, destination);

        // Best of several batches: the machine may be shared, the minimum is the least disturbed figure.
        static double BestMilliseconds(Action action)
        {
            const int batches = 10, perBatch = 20;
            double best = double.MaxValue;
            for (int b = 0; b < batches; b++)
            {
                var stopwatch = Stopwatch.StartNew();
                for (int i = 0; i < perBatch; i++)
                    action();
                best = Math.Min(best, stopwatch.Elapsed.TotalMilliseconds / perBatch);
            }
            return best;
        }

        BestMilliseconds(Full);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Full();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        double total = BestMilliseconds(Full), decode = BestMilliseconds(DecodeOnly);
        output.WriteLine($"640x480 JPEG ({photo.Length} bytes): {total:F3} ms per image, of which JPEG decode {decode:F3} ms; {allocated} managed bytes allocated per call");
        Assert.True(allocated < 64 * 1024, $"{allocated} bytes allocated per call");
    }
}
