using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MobileViT.Inference.Preprocessing;

/// <summary>
/// Pillow's horizontal bilinear pass (the same fixed-point weights, sums and <c>clip8</c> as
/// <see cref="PillowBilinearResampler.Horizontal"/>, so bit-identical), vectorised. Integer sums do not depend on the
/// order of their terms, which lets mirrored images be read forwards with reversed weights and lets the pass run
/// down stored columns for the orientations that swap axes.
/// </summary>
internal static unsafe class VectorHorizontalResampler
{
    /// <summary>The along-rows kernel needs AVX2; the along-columns one runs on any <see cref="Vector256"/> hardware or scalar.</summary>
    public static bool IsSupported => Avx2.IsSupported;

    /// <summary>
    /// Displayed rows are stored rows (EXIF orientations 1 to 4). Resamples <paramref name="rowCount"/> rows, the first at
    /// <paramref name="firstRow"/> and each next one <paramref name="rowStep"/> bytes on (negative for images stored upside
    /// down), into <c>axis.Count</c> RGB pixels per row at <paramref name="destination"/> (which must have 1 byte of slack
    /// after its end). <paramref name="mirrored"/>: displayed x is stored <c>storedWidth - 1 - x</c>.
    /// </summary>
    public static void AlongRows(byte* firstRow, nint rowStep, int rowCount, int bytesPerPixel, bool mirrored, int storedWidth,
        ResampleAxis axis, byte* destination)
    {
        int count = axis.Count;
        int pairStride = (axis.KernelSize + 1) / 2 * 8;
        int[] starts = ArrayPool<int>.Shared.Rent(count);
        int[] pairs = ArrayPool<int>.Shared.Rent(count);
        int[] expanded = ArrayPool<int>.Shared.Rent(count * pairStride);
        try
        {
            ExpandWeights(axis, mirrored, storedWidth, bytesPerPixel, starts, pairs, expanded, pairStride);
            // Two pixels per step, each widened to 4 int lanes (R, G, B, zero) and multiplied by its tap weight.
            var spread = bytesPerPixel == 3
                ? Vector128.Create((byte)0, 1, 2, 0x80, 3, 4, 5, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80)
                : Vector128.Create((byte)0, 1, 2, 0x80, 4, 5, 6, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80);
            var half = Vector128.Create(ResampleAxis.Half);
            int step = 2 * bytesPerPixel;
            fixed (int* weights = expanded)
            {
                for (int r = 0; r < rowCount; r++)
                {
                    byte* row = firstRow + r * rowStep;
                    byte* output = destination + (nint)r * count * 3;
                    for (int i = 0; i < count; i++)
                    {
                        byte* p = row + starts[i];
                        int* w = weights + (nint)i * pairStride;
                        var acc = Vector256<int>.Zero;
                        for (int n = pairs[i]; n > 0; n--, p += step, w += 8)
                        {
                            var bytes = Ssse3.Shuffle(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(p)).AsByte(), spread);
                            acc = Avx2.Add(acc, Avx2.MultiplyLow(Avx2.ConvertToVector256Int32(bytes), Avx.LoadVector256(w)));
                        }
                        var sum = Sse2.ShiftRightArithmetic(Sse2.Add(Sse2.Add(acc.GetLower(), acc.GetUpper()), half), ResampleAxis.PrecisionBits);
                        // Saturating int32 -> int16 -> uint8 packs are clip8's clamp to 0..255.
                        var packed = Sse2.PackUnsignedSaturate(Sse2.PackSignedSaturate(sum, sum), default);
                        Unsafe.WriteUnaligned(output + 3 * i, packed.AsUInt32().ToScalar());
                    }
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(starts);
            ArrayPool<int>.Shared.Return(pairs);
            ArrayPool<int>.Shared.Return(expanded);
        }
    }

    /// <summary>Per output: byte offset of its first stored pixel, number of tap pairs, and each tap's weight repeated in 4 lanes.</summary>
    private static void ExpandWeights(ResampleAxis axis, bool mirrored, int storedWidth, int bytesPerPixel,
        int[] starts, int[] pairs, int[] expanded, int pairStride)
    {
        var bounds = axis.Bounds;
        var weights = axis.Weights;
        for (int i = 0; i < axis.Count; i++)
        {
            int first = bounds[2 * i], taps = bounds[2 * i + 1];
            var k = weights.Slice(i * axis.KernelSize, taps);
            starts[i] = (mirrored ? storedWidth - first - taps : first) * bytesPerPixel;
            pairs[i] = (taps + 1) / 2;
            var row = expanded.AsSpan(i * pairStride, pairs[i] * 8);
            row.Clear();
            for (int t = 0; t < taps; t++)
                row.Slice(4 * t, 4).Fill(mirrored ? k[taps - 1 - t] : k[t]);
        }
    }

    /// <summary>
    /// Displayed rows are stored columns (EXIF orientations 5 to 8): displayed x is stored row <c>x</c> (or
    /// <c>height - 1 - x</c> when <paramref name="reverseRows"/>), displayed y is stored column <c>y</c> (or
    /// <c>width - 1 - y</c> when <paramref name="reverseColumns"/>). Computes displayed rows
    /// <c>[rowStart, rowStart + rowCount)</c> into <c>axis.Count</c> RGB pixels per row at <paramref name="destination"/>.
    /// Each output column is a weighted sum of whole stored rows, so the sums run along contiguous memory.
    /// </summary>
    public static void AlongColumns(DecodedImage image, bool reverseRows, bool reverseColumns, int rowStart, int rowCount,
        ResampleAxis axis, byte* destination)
    {
        var bounds = axis.Bounds;
        var weights = axis.Weights;
        int bpp = image.BytesPerPixel;
        int length = rowCount * bpp;
        int storedColumn = reverseColumns ? image.Width - rowStart - rowCount : rowStart;
        nint outputRow = (nint)axis.Count * 3;
        int[] rented = ArrayPool<int>.Shared.Rent(length);
        try
        {
            fixed (int* acc = rented)
            {
                for (int i = 0; i < axis.Count; i++)
                {
                    int first = bounds[2 * i], taps = bounds[2 * i + 1];
                    new Span<int>(acc, length).Fill(ResampleAxis.Half);
                    for (int t = 0; t < taps; t++)
                    {
                        int x = first + t;
                        byte* segment = image.Row(reverseRows ? image.Height - 1 - x : x) + storedColumn * bpp;
                        PillowBilinearResampler.MultiplyAdd(segment, weights[i * axis.KernelSize + t], acc, length);
                    }

                    byte* output = destination + 3 * i;
                    for (int j = 0; j < rowCount; j++)
                    {
                        int y = reverseColumns ? rowCount - 1 - j : j;
                        byte* o = output + y * outputRow;
                        int* a = acc + j * bpp;
                        o[0] = ResampleAxis.Clip8(a[0]);
                        o[1] = ResampleAxis.Clip8(a[1]);
                        o[2] = ResampleAxis.Clip8(a[2]);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rented);
        }
    }
}
