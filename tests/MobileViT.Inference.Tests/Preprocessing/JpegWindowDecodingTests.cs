using System.Runtime.InteropServices;
using MobileViT.Inference.Preprocessing;
using MobileViT.Testing;
using SkiaSharp;
using Xunit.Abstractions;
using static MobileViT.Inference.Tests.Preprocessing.PreprocessorRuns;

namespace MobileViT.Inference.Tests.Preprocessing;

/// <summary>
/// The windowed, banded JPEG decoder (libmobilevit_jpeg) against whole-image decoding with libturbojpeg, which the
/// other tests pin to the SkiaSharp + scalar Pillow reference: bit-identical tensors for every chroma subsampling,
/// progressive files, odd sizes, every EXIF orientation and fast mode's reduced scales, and the same answer for
/// damaged files, including damage below the rows the window uses.
/// </summary>
public sealed class JpegWindowDecodingTests(ITestOutputHelper output)
{
    private const long MaxPixels = 50_000_000;
    private static readonly PreprocessorConfig Config = PreprocessorConfig.MobileViTDefault;

    private static ImagePreprocessor Windowed(PreprocessingMode mode = PreprocessingMode.Exact, PreprocessorConfig? config = null) =>
        new(config ?? Config, MaxPixels, mode, TurboJpegLibrary.Instance,
            JpegStreamLibrary.Instance ?? throw new InvalidOperationException(JpegStreamLibrary.Description));

    /// <summary>The tensor the windowed decoder itself produced: a refusal, which would hand the image to a decoder with the same pixels, fails the test.</summary>
    private static float[] RunWindowed(byte[] jpeg, PreprocessingMode mode = PreprocessingMode.Exact, PreprocessorConfig? config = null)
    {
        var preprocessor = Windowed(mode, config);
        var result = new float[preprocessor.OutputLength];
        Assert.True(preprocessor.TryPreprocessJpegWindow(jpeg, result), "the windowed decoder refused the image");
        return result;
    }

    private static ImagePreprocessor Whole(PreprocessingMode mode = PreprocessingMode.Exact, PreprocessorConfig? config = null) =>
        new(config ?? Config, MaxPixels, mode, TurboJpegLibrary.Instance, jpegStream: null);


    private void AssertIdentical(float[] expected, float[] actual, string what) => PreprocessorRuns.AssertIdentical(output, expected, actual, what);

    [Fact]
    public void WindowedDecoder_IsBuiltAndUsed()
    {
        // scripts/test.sh installs a C compiler and libjpeg's headers, so the build compiles libmobilevit_jpeg.so.
        Assert.True(JpegStreamLibrary.Instance is not null, JpegStreamLibrary.Description);
        Assert.Equal("libjpeg-turbo, windowed", new ImagePreprocessor(Config, MaxPixels).JpegDecoder);
        Assert.False(ImagePreprocessor.JpegDecoderFallback);
    }

    public static TheoryData<int, int, int, bool> Encodings => new()
    {
        // width, height, TurboJPEG subsampling (0 4:4:4, 1 4:2:2, 2 4:2:0, 3 grey, 4 4:4:0, 5 4:1:1), progressive
        { 2400, 1800, 2, false },
        { 1803, 2411, 2, false },
        { 2400, 1800, 1, false },
        { 1201, 907, 0, false },
        { 1600, 1203, 3, false },
        { 1203, 1600, 4, false },
        { 1600, 1200, 5, false },
        { 2400, 1800, 2, true },
        { 917, 1213, 1, true },
        { 301, 299, 2, false },
        { 200, 4000, 2, false },
        { 4000, 200, 0, false },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Encoding_ExactAndFast_AreBitIdenticalToWholeImageDecoding(int width, int height, int subsampling, bool progressive)
    {
        var jpeg = TestJpeg.Encode(Photo(width, height), subsampling, progressive);
        string what = $"{width}x{height}, subsampling {subsampling}{(progressive ? ", progressive" : "")}";
        AssertIdentical(Run(Whole(), jpeg), RunWindowed(jpeg), what + ", exact");
        AssertIdentical(Run(Whole(PreprocessingMode.Fast), jpeg), RunWindowed(jpeg, PreprocessingMode.Fast), what + ", fast");
    }

    [Theory]
    [MemberData(nameof(RgbImage.Orientations), MemberType = typeof(RgbImage))]
    public void ExifOrientation_ExactAndFast_AreBitIdenticalToWholeImageDecoding(int orientation)
    {
        var jpeg = RgbImage.WithExifOrientation(TestJpeg.Encode(Photo(2403, 1797), subsampling: 2, progressive: false), orientation);
        AssertIdentical(Run(Whole(), jpeg), RunWindowed(jpeg), $"orientation {orientation}, exact");
        AssertIdentical(Run(Whole(PreprocessingMode.Fast), jpeg), RunWindowed(jpeg, PreprocessingMode.Fast), $"orientation {orientation}, fast");
    }

    [Theory]
    [MemberData(nameof(BenchmarkPhotos.Names), MemberType = typeof(BenchmarkPhotos))]
    public void BenchmarkPhoto_IsBitIdenticalToWholeImageDecoding(string photo)
    {
        var jpeg = BenchmarkPhotos.Read(photo);
        AssertIdentical(Run(Whole(), jpeg), RunWindowed(jpeg), photo);
    }

    [Fact]
    public void CropLargerThanTheImage_PaddedOutput_IsBitIdenticalToWholeImageDecoding()
    {
        var config = new PreprocessorConfig { DoResize = false, CropHeight = 320, CropWidth = 400 };
        var jpeg = TestJpeg.Encode(Photo(333, 211), subsampling: 2, progressive: false);
        AssertIdentical(Run(Whole(config: config), jpeg), RunWindowed(jpeg, config: config), "333x211 into a 400x320 crop");
    }

    [Theory]
    [InlineData(0.30)] // inside the rows the window uses
    [InlineData(0.97)] // below them: only reading to the end finds it
    public void DamagedOrTruncatedData_GetsTheSameAnswerAsWholeImageDecoding(double at)
    {
        var intact = TestJpeg.Encode(Photo(2400, 1800), subsampling: 2, progressive: false);
        var damaged = intact.ToArray();
        var random = new Random(5);
        int start = (int)(damaged.Length * at);
        for (int i = start; i < start + 300; i++)
            damaged[i] = (byte)random.Next(256);
        var truncated = intact.AsSpan(0, (int)(intact.Length * at)).ToArray();

        foreach (var (name, jpeg) in new[] { ("damaged", damaged), ("truncated", truncated) })
        {
            var expected = Outcome(Whole(), jpeg, out var expectedTensor);
            var actual = Outcome(Windowed(), jpeg, out var actualTensor);
            output.WriteLine($"{name} at {at:P0}: {expected?.ToString() ?? "decoded"}");
            Assert.Equal(expected, actual);
            if (expectedTensor is not null)
                AssertIdentical(expectedTensor, actualTensor!, $"{name} at {at:P0}");
        }
    }


    [Fact]
    public void RandomlyMutatedFiles_GetTheSameAnswerAsWholeImageDecoding_AndNeverCrash()
    {
        // Bytes flipped anywhere, the headers included (markers, tables, sizes), and cuts at random points: the
        // windowed decoder must return an error code for whatever libjpeg rejects, never end the process, and agree
        // with whole-image decoding on every file.
        var intact = TestJpeg.Encode(Photo(1203, 911), subsampling: 2, progressive: false);
        var progressive = TestJpeg.Encode(Photo(911, 1203), subsampling: 1, progressive: true);
        var random = new Random(11);
        var windowed = Windowed();
        var scratch = new float[windowed.OutputLength];
        int refused = 0, decodedWindowed = 0;
        for (int trial = 0; trial < 120; trial++)
        {
            var source = trial % 2 == 0 ? intact : progressive;
            byte[] jpeg;
            if (trial % 5 == 4)
                jpeg = source.AsSpan(0, random.Next(2, source.Length)).ToArray();
            else
            {
                jpeg = source.ToArray();
                int flips = random.Next(1, 6);
                for (int i = 0; i < flips; i++)
                    jpeg[trial % 3 == 0 ? random.Next(2, Math.Min(jpeg.Length, 700)) : random.Next(2, jpeg.Length)] = (byte)random.Next(256);
            }
            var expected = Outcome(Whole(), jpeg, out var expectedTensor);
            var actual = Outcome(windowed, jpeg, out var actualTensor);
            if (actual is null && windowed.TryPreprocessJpegWindow(jpeg, scratch))
                decodedWindowed++;
            Assert.True(expected == actual, $"trial {trial}: whole-image decoding says {expected?.ToString() ?? "decoded"}, windowed {actual?.ToString() ?? "decoded"}");
            if (expectedTensor is not null)
                AssertIdentical(expectedTensor, actualTensor!, $"trial {trial}");
            else
                refused++;
        }
        output.WriteLine($"{refused} of 120 mutated files refused by both; the windowed decoder itself decoded {decodedWindowed}");
        Assert.True(decodedWindowed > 0, "the windowed decoder refused every file, so the comparison only saw the fallback");
    }

    /// <summary>A benchmark photo resized to the size asked for, with seeded noise so that every block has detail.</summary>
    private static SKBitmap Photo(int width, int height)
    {
        using var source = SKBitmap.Decode(BenchmarkPhotos.Read("coffee.jpg"));
        var scaled = source.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque), new SKSamplingOptions(SKFilterMode.Linear));
        var random = new Random(width * 31 + height);
        var pixels = scaled.GetPixelSpan();
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = (byte)Math.Clamp(pixels[i] + random.Next(-12, 13), 0, 255);
        return scaled;
    }

    /// <summary>JPEG encoding through libturbojpeg, which can write every subsampling and progressive files.</summary>
    private static unsafe class TestJpeg
    {
        public static byte[] Encode(SKBitmap bitmap, int subsampling, bool progressive)
        {
            using (bitmap)
            {
                nint handle = tjInitCompress();
                byte* jpeg = null;
                CULong size = default;
                try
                {
                    // TJPF_RGBX = 2; TJFLAG_PROGRESSIVE = 16384.
                    int result = tjCompress2(handle, (byte*)bitmap.GetPixels(), bitmap.Width, bitmap.RowBytes, bitmap.Height, 2,
                        &jpeg, &size, subsampling, 90, progressive ? 16384 : 0);
                    Assert.True(result == 0, "libturbojpeg could not encode the test image");
                    return new ReadOnlySpan<byte>(jpeg, (int)size.Value).ToArray();
                }
                finally
                {
                    if (jpeg != null)
                        tjFree(jpeg);
                    tjDestroy(handle);
                }
            }
        }

        [DllImport("libturbojpeg.so.0")] private static extern nint tjInitCompress();
        [DllImport("libturbojpeg.so.0")] private static extern int tjDestroy(nint handle);
        [DllImport("libturbojpeg.so.0")] private static extern void tjFree(byte* buffer);
        [DllImport("libturbojpeg.so.0")] private static extern int tjCompress2(nint handle, byte* source, int width, int pitch, int height, int pixelFormat,
            byte** jpeg, CULong* size, int subsampling, int quality, int flags);
    }
}
