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
    /// down), into <c>axis.Count</c> RGB pixels per row at <paramref name="destination"/>. <paramref name="mirrored"/>: displayed x is stored <c>storedWidth - 1 - x</c>. Reads up to 16 bytes
    /// past the last pixel a sum uses, which the decode buffers' padding covers.
    /// </summary>
    /// <remarks>
    /// Pillow's 22-bit weights do not fit the 16-bit multiplies of <c>vpmaddwd</c>, so each is split as
    /// <c>w = high * 2^11 + low</c> with both halves in 16 bits, and the sum is put back together as
    /// <c>(sum(p * high) &lt;&lt; 11) + sum(p * low)</c>, which is the same integer (no term or partial sum overflows 32
    /// bits). One step takes 4 taps: 16 bytes broadcast to both 128-bit lanes, shuffled to one tap pair per lane as
    /// (R, R', G, G', B, B', 0, 0), then two multiply-adds. Two rows share each load of the weights. Measured against the
    /// 32-bit-multiply kernel it replaced: docs/benchmarks.md.
    /// </remarks>
    public static void AlongRows(byte* firstRow, nint rowStep, int rowCount, int bytesPerPixel, bool mirrored, int storedWidth,
        ResampleAxis axis, byte* destination)
    {
        int count = axis.Count;
        int groupStride = (axis.KernelSize + 3) / 4 * 2 * Vector256<short>.Count;
        int[] starts = ArrayPool<int>.Shared.Rent(count);
        int[] groups = ArrayPool<int>.Shared.Rent(count);
        short[] expanded = ArrayPool<short>.Shared.Rent(count * groupStride);
        try
        {
            ExpandWeights(axis, mirrored, storedWidth, bytesPerPixel, starts, groups, expanded, groupStride);
            var spread = bytesPerPixel == 3
                ? Vector256.Create((byte)0, Z, 3, Z, 1, Z, 4, Z, 2, Z, 5, Z, Z, Z, Z, Z, 6, Z, 9, Z, 7, Z, 10, Z, 8, Z, 11, Z, Z, Z, Z, Z)
                : Vector256.Create((byte)0, Z, 4, Z, 1, Z, 5, Z, 2, Z, 6, Z, Z, Z, Z, Z, 8, Z, 12, Z, 9, Z, 13, Z, 10, Z, 14, Z, Z, Z, Z, Z);
            int step = 4 * bytesPerPixel;
            nint outputRow = (nint)count * 3;
            fixed (short* weights = expanded)
            {
                int r = 0;
                for (; r + 1 < rowCount; r += 2)
                {
                    byte* rowA = firstRow + r * rowStep;
                    byte* rowB = rowA + rowStep;
                    byte* outputA = destination + r * outputRow;
                    byte* outputB = outputA + outputRow;
                    for (int i = 0; i < count; i++)
                    {
                        byte* a = rowA + starts[i];
                        byte* b = rowB + starts[i];
                        short* w = weights + (nint)i * groupStride;
                        Vector256<int> highA = default, lowA = default, highB = default, lowB = default;
                        for (int n = groups[i]; n > 0; n--, a += step, b += step, w += 2 * Vector256<short>.Count)
                        {
                            var high = Avx.LoadVector256(w);
                            var low = Avx.LoadVector256(w + Vector256<short>.Count);
                            var pixelsA = Avx2.Shuffle(Avx2.BroadcastVector128ToVector256(a), spread).AsInt16();
                            var pixelsB = Avx2.Shuffle(Avx2.BroadcastVector128ToVector256(b), spread).AsInt16();
                            highA = Avx2.Add(highA, Avx2.MultiplyAddAdjacent(pixelsA, high));
                            lowA = Avx2.Add(lowA, Avx2.MultiplyAddAdjacent(pixelsA, low));
                            highB = Avx2.Add(highB, Avx2.MultiplyAddAdjacent(pixelsB, high));
                            lowB = Avx2.Add(lowB, Avx2.MultiplyAddAdjacent(pixelsB, low));
                        }
                        Store(outputA + 3 * i, Finish(highA, lowA), last: i + 1 == count);
                        Store(outputB + 3 * i, Finish(highB, lowB), last: i + 1 == count);
                    }
                }
                for (; r < rowCount; r++)
                {
                    byte* row = firstRow + r * rowStep;
                    byte* output = destination + r * outputRow;
                    for (int i = 0; i < count; i++)
                    {
                        byte* a = row + starts[i];
                        short* w = weights + (nint)i * groupStride;
                        Vector256<int> high = default, low = default;
                        for (int n = groups[i]; n > 0; n--, a += step, w += 2 * Vector256<short>.Count)
                        {
                            var pixels = Avx2.Shuffle(Avx2.BroadcastVector128ToVector256(a), spread).AsInt16();
                            high = Avx2.Add(high, Avx2.MultiplyAddAdjacent(pixels, Avx.LoadVector256(w)));
                            low = Avx2.Add(low, Avx2.MultiplyAddAdjacent(pixels, Avx.LoadVector256(w + Vector256<short>.Count)));
                        }
                        Store(output + 3 * i, Finish(high, low), last: i + 1 == count);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(starts);
            ArrayPool<int>.Shared.Return(groups);
            ArrayPool<short>.Shared.Return(expanded);
        }
    }

    private const byte Z = 0x80; // a shuffle index that writes zero

    /// <summary>R, G, B (and a zero) of one output pixel from the two halves' sums of both lanes: Pillow's rounding and <c>clip8</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Finish(Vector256<int> high, Vector256<int> low)
    {
        var sum = Sse2.ShiftLeftLogical(Sse2.Add(high.GetLower(), high.GetUpper()), WeightSplitBits)
                  + Sse2.Add(low.GetLower(), low.GetUpper()) + Vector128.Create(ResampleAxis.Half);
        var shifted = Sse2.ShiftRightArithmetic(sum, ResampleAxis.PrecisionBits);
        // Saturating int32 -> int16 -> uint8 packs are clip8's clamp to 0..255.
        return Sse2.PackUnsignedSaturate(Sse2.PackSignedSaturate(shifted, shifted), default).AsUInt32().ToScalar();
    }

    private const int WeightSplitBits = 11;

    /// <summary>
    /// Writes a pixel's R, G, B: as 4 bytes (the fourth lands on the next pixel, written after it) except for a row's
    /// last pixel, whose fourth byte would land on the next row's first, which may already be written (row pairs, and
    /// bands of an upside-down image arriving bottom row first).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(byte* output, uint pixel, bool last)
    {
        if (!last)
        {
            Unsafe.WriteUnaligned(output, pixel);
            return;
        }
        Unsafe.WriteUnaligned(output, (ushort)pixel);
        output[2] = (byte)(pixel >> 16);
    }

    /// <summary>
    /// Per output: byte offset of its first stored pixel, number of 4-tap groups, and per group the high and the low
    /// halves of its weights laid out as the shuffled pixels are: (w0, w1, w0, w1, w0, w1, 0, 0 | w2, w3, ...).
    /// </summary>
    private static void ExpandWeights(ResampleAxis axis, bool mirrored, int storedWidth, int bytesPerPixel,
        int[] starts, int[] groups, short[] expanded, int groupStride)
    {
        var bounds = axis.Bounds;
        var weights = axis.Weights;
        int lanes = Vector256<short>.Count;
        for (int i = 0; i < axis.Count; i++)
        {
            int first = bounds[2 * i], taps = bounds[2 * i + 1];
            var k = weights.Slice(i * axis.KernelSize, taps);
            starts[i] = (mirrored ? storedWidth - first - taps : first) * bytesPerPixel;
            groups[i] = (taps + 3) / 4;
            var row = expanded.AsSpan(i * groupStride, groups[i] * 2 * lanes);
            row.Clear();
            for (int t = 0; t < taps; t++)
            {
                int weight = mirrored ? k[taps - 1 - t] : k[t];
                var group = row.Slice(t / 4 * 2 * lanes, 2 * lanes);
                int slot = (t & 2) * 4 + (t & 1); // lane (t & 2) / 2, tap pair position t & 1
                for (int channel = 0; channel < 3; channel++)
                {
                    group[slot + 2 * channel] = (short)(weight >> WeightSplitBits);
                    group[lanes + slot + 2 * channel] = (short)(weight & ((1 << WeightSplitBits) - 1));
                }
            }
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
