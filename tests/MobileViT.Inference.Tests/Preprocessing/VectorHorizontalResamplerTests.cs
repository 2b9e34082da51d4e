using System.Runtime.InteropServices;
using MobileViT.Inference.Preprocessing;

namespace MobileViT.Inference.Tests.Preprocessing;

/// <summary>
/// The vectorised horizontal pass against the scalar Pillow port over random geometry: every tap count modulo the
/// 4-tap step, shrinking and enlarging, odd and even row counts (rows go in pairs), 3 and 4 bytes per pixel, mirrored
/// and upside-down reads, and pixels near 0 and 255 where the rounding and the clamp matter.
/// </summary>
public sealed unsafe class VectorHorizontalResamplerTests
{
    public static TheoryData<int> Seeds => new() { 1, 2, 3, 4, 5, 6, 7, 8 };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void AlongRows_IsBitIdenticalToTheScalarPass(int seed)
    {
        Assert.True(VectorHorizontalResampler.IsSupported, "the vectorised pass needs AVX2, which every machine this runs on has");
        var random = new Random(seed);
        for (int trial = 0; trial < 40; trial++)
        {
            int width = random.Next(1, 900);
            int height = random.Next(1, 7);
            int bytesPerPixel = random.Next(2) == 0 ? 3 : 4;
            int outSize = random.Next(1, 2 * width + 3);
            int first = random.Next(outSize);
            int count = random.Next(1, outSize - first + 1);
            bool mirrored = random.Next(2) == 0, upsideDown = random.Next(2) == 0;
            int rowStart = random.Next(height);
            int rowCount = random.Next(1, height - rowStart + 1);
            string what = $"seed {seed} trial {trial}: {width}x{height}x{bytesPerPixel} -> {outSize} [{first}, +{count}), rows [{rowStart}, +{rowCount}), mirrored {mirrored}, upside down {upsideDown}";

            nint rowBytes = (nint)width * bytesPerPixel;
            nuint imageBytes = (nuint)(rowBytes * height);
            byte* image = (byte*)NativeMemory.Alloc(imageBytes + NativeBufferPool.Padding);
            nuint outputBytes = (nuint)(rowCount * count * 3 + 1);
            byte* expected = (byte*)NativeMemory.Alloc(outputBytes);
            byte* actual = (byte*)NativeMemory.Alloc(outputBytes);
            try
            {
                // Mostly extremes, so that sums land on the clamp and on rounding boundaries.
                for (nuint i = 0; i < imageBytes; i++)
                    image[i] = (byte)(random.Next(4) switch { 0 => 0, 1 => 255, _ => random.Next(256) });
                using var axis = ResampleAxis.Create(width, outSize, first, count);

                nint origin = (mirrored ? (width - 1) * bytesPerPixel : 0) + (upsideDown ? (height - 1) * rowBytes : 0);
                PillowBilinearResampler.Horizontal(image, origin, mirrored ? -bytesPerPixel : bytesPerPixel, upsideDown ? -rowBytes : rowBytes,
                    rowStart, rowCount, axis, expected);
                byte* firstRow = image + (upsideDown ? height - 1 - rowStart : rowStart) * rowBytes;
                VectorHorizontalResampler.AlongRows(firstRow, upsideDown ? -rowBytes : rowBytes, rowCount, bytesPerPixel, mirrored, width, axis, actual);

                int length = rowCount * count * 3;
                Assert.True(new ReadOnlySpan<byte>(expected, length).SequenceEqual(new ReadOnlySpan<byte>(actual, length)), what);
            }
            finally
            {
                NativeMemory.Free(image);
                NativeMemory.Free(expected);
                NativeMemory.Free(actual);
            }
        }
    }
}
