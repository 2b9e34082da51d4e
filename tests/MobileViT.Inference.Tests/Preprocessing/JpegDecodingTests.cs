using MobileViT.Inference.Preprocessing;
using SkiaSharp;
using Xunit.Abstractions;
using static MobileViT.Inference.Tests.Preprocessing.PreprocessorRuns;

namespace MobileViT.Inference.Tests.Preprocessing;

/// <summary>
/// The libturbojpeg decoder and the vectorised horizontal pass against the reference: SkiaSharp's decoder and the
/// scalar Pillow port, which the shared Hugging Face fixtures pin down. Exact mode must be bit-identical to it.
/// </summary>
public sealed class JpegDecodingTests(ITestOutputHelper output)
{
    private const long MaxPixels = 50_000_000;
    private static readonly PreprocessorConfig Config = PreprocessorConfig.MobileViTDefault;

    private static readonly ImagePreprocessor Reference = new(Config, MaxPixels, PreprocessingMode.Exact, turboJpeg: null, vectorResampler: false);
    private static readonly ImagePreprocessor Exact = new(Config, MaxPixels);
    private static readonly ImagePreprocessor Fast = new(Config, MaxPixels, PreprocessingMode.Fast);


    private void AssertIdentical(float[] expected, float[] actual, string what) => PreprocessorRuns.AssertIdentical(output, expected, actual, what);

    /// <summary>Large enough that fast mode decodes at 1/2 (short side 1200 = 2 x 600 >= 2 x 288).</summary>
    private static byte[] Upscaled(string photo, int width, int height, int quality = 90)
    {
        using var source = SKBitmap.Decode(BenchmarkPhotos.Read(photo));
        using var scaled = source.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque), new SKSamplingOptions(SKCubicResampler.Mitchell));
        using var data = scaled.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }

    [Fact]
    public void LibTurboJpeg_IsInstalled()
    {
        // scripts/test.sh and the Dockerfile install Debian's libturbojpeg0; without it JPEGs fall back to SkiaSharp.
        Assert.True(TurboJpegLibrary.Instance is not null, ImagePreprocessor.JpegDecoderStatus);
        Assert.Equal("libturbojpeg", new ImagePreprocessor(Config, MaxPixels, PreprocessingMode.Exact, TurboJpegLibrary.Instance).JpegDecoder);
    }

    [Theory]
    [MemberData(nameof(BenchmarkPhotos.Names), MemberType = typeof(BenchmarkPhotos))]
    public void BenchmarkPhoto_ExactMode_IsBitIdenticalToTheScalarSkiaReference(string photo)
    {
        var jpeg = BenchmarkPhotos.Read(photo);
        AssertIdentical(Run(Reference, jpeg), Run(Exact, jpeg), photo);
    }

    [Theory]
    [MemberData(nameof(RgbImage.Orientations), MemberType = typeof(RgbImage))]
    public void ExifOrientation_ExactMode_IsBitIdenticalToTheScalarSkiaReference(int orientation)
    {
        var jpeg = RgbImage.WithExifOrientation(BenchmarkPhotos.Read("rocket.jpg"), orientation);
        AssertIdentical(Run(Reference, jpeg), Run(Exact, jpeg), $"rocket.jpg, orientation {orientation}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(6)]
    [InlineData(8)]
    public void ExifOrientation_SkiaDecodedRgba_VectorPassIsBitIdenticalToScalar(int orientation)
    {
        var jpeg = RgbImage.WithExifOrientation(BenchmarkPhotos.Read("chelsea.jpg"), orientation);
        var skiaVector = new ImagePreprocessor(Config, MaxPixels, PreprocessingMode.Exact, turboJpeg: null);
        AssertIdentical(Run(Reference, jpeg), Run(skiaVector, jpeg), $"chelsea.jpg, orientation {orientation}, 4 bytes per pixel");
    }

    [Fact]
    public void GreyscaleJpeg_IsBitIdenticalToTheReference()
    {
        using var colour = SKBitmap.Decode(BenchmarkPhotos.Read("coffee.jpg"));
        using var grey = new SKBitmap(new SKImageInfo(colour.Width, colour.Height, SKColorType.Gray8, SKAlphaType.Opaque));
        Assert.True(colour.CopyTo(grey, SKColorType.Gray8));
        using var data = grey.Encode(SKEncodedImageFormat.Jpeg, 90);
        var jpeg = data.ToArray();
        Assert.Equal(1, jpeg[Array.IndexOf(jpeg, (byte)0xC0, 2) + 8]); // SOF0 declares one component

        var result = Run(Exact, jpeg);
        AssertIdentical(Run(Reference, jpeg), result, "grey coffee.jpg");
        int plane = result.Length / 3;
        Assert.True(result.AsSpan(0, plane).SequenceEqual(result.AsSpan(plane, plane)), "grey replicated into every channel");
    }

    [Fact]
    public void CorruptEntropyData_GetsTheReferenceAnswer()
    {
        var jpeg = BenchmarkPhotos.Read("astronaut.jpg");
        var random = new Random(99);
        for (int i = jpeg.Length / 2; i < jpeg.Length / 2 + 400; i++)
            jpeg[i] = (byte)random.Next(256);

        var expected = Outcome(Reference, jpeg, out var expectedTensor);
        var actual = Outcome(Exact, jpeg, out var actualTensor);
        Assert.Equal(expected, actual);
        if (expectedTensor is not null)
            AssertIdentical(expectedTensor, actualTensor!, "damaged astronaut.jpg");
    }

    [Theory]
    [InlineData(4032, 3024, 288, 4)]
    [InlineData(3024, 4032, 288, 4)]
    [InlineData(8000, 6000, 288, 8)]
    [InlineData(2400, 1800, 288, 2)]
    [InlineData(1151, 2000, 288, 2)] // ceil(1151 / 2) = 576 = 2 x 288
    [InlineData(1150, 2000, 288, 1)]
    [InlineData(1000, 872, 288, 1)]
    [InlineData(100, 80, 288, 1)]
    public void FastMode_Scale_IsTheSmallestKeepingTwiceTheTarget(int width, int height, int shortestEdge, int denominator)
    {
        Assert.Equal(denominator, JpegScale.Denominator(width, height, shortestEdge));
    }

    [Theory]
    [MemberData(nameof(BenchmarkPhotos.Names), MemberType = typeof(BenchmarkPhotos))]
    public void FastMode_PhotoTooSmallToScale_EqualsExact(string photo)
    {
        var jpeg = BenchmarkPhotos.Read(photo);
        AssertIdentical(Run(Exact, jpeg), Run(Fast, jpeg), photo + " in fast mode");
    }

    [Theory]
    [InlineData(2400, 1800)]
    [InlineData(1200, 1600)]
    public void FastMode_LargeJpeg_IsCloseToExact(int width, int height)
    {
        var jpeg = Upscaled("coffee.jpg", width, height);
        var exact = Run(Exact, jpeg);
        var fast = Run(Fast, jpeg);
        var (mean, max, differing, _) = TensorDifference.Between(fast, exact);
        output.WriteLine($"{width}x{height}: fast vs exact mean |diff| {mean:F4}/255, max {max:F1}/255, {differing} values differ");
        Assert.True(differing > 0, "fast mode should have decoded at a reduced scale");
        Assert.True(mean <= 0.5 && max <= 8, $"mean {mean:F4}/255, max {max:F1}/255");
    }

    [Fact]
    public void FastMode_SkiaFallback_DecodesAtTheSameScaleAsLibTurboJpeg()
    {
        var jpeg = Upscaled("rocket.jpg", 2400, 1600);
        var skiaFast = new ImagePreprocessor(Config, MaxPixels, PreprocessingMode.Fast, turboJpeg: null);
        AssertIdentical(Run(skiaFast, jpeg), Run(Fast, jpeg), "fast mode, SkiaSharp vs libturbojpeg");
    }

    [Fact]
    public void Mode_IsExposed()
    {
        Assert.Equal(PreprocessingMode.Exact, Exact.Mode);
        Assert.Equal(PreprocessingMode.Fast, Fast.Mode);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImagePreprocessor(Config, MaxPixels, (PreprocessingMode)7));
    }
}
