using System.Buffers;
using System.Runtime.Intrinsics;

namespace MobileViT.Inference.Preprocessing;

/// <summary>
/// Fixed-point filter weights for one axis of a resize, computed the way Pillow's <c>Image.resize(..., BILINEAR)</c>
/// computes them for 8-bit images (triangle filter whose support widens by the scale factor when shrinking, sample
/// centres at +0.5, weights normalised to sum 1, then rounded to 22 fractional bits). Only the output positions
/// <c>[First, First + Count)</c> are computed: each output sample depends on its own weights alone, so computing a
/// subset gives exactly the values a full resize would have at those positions.
/// </summary>
internal sealed class ResampleAxis : IDisposable
{
    /// <summary>Fractional bits of the fixed-point weights: 32 bits minus 8 for the sample minus 2 for headroom.</summary>
    public const int PrecisionBits = 32 - 8 - 2;
    public const int Half = 1 << (PrecisionBits - 1);

    private int[]? _bounds;
    private int[]? _weights;

    private ResampleAxis(int first, int count, int kernelSize, int[] bounds, int[] weights)
    {
        First = first;
        Count = count;
        KernelSize = kernelSize;
        _bounds = bounds;
        _weights = weights;
    }

    /// <summary>First output position covered.</summary>
    public int First { get; }

    /// <summary>Number of output positions covered.</summary>
    public int Count { get; }

    /// <summary>Stride between the weight rows of consecutive output positions.</summary>
    public int KernelSize { get; }

    /// <summary>Pairs (first input index, tap count) per output position, relative to <see cref="First"/>.</summary>
    public ReadOnlySpan<int> Bounds => _bounds.AsSpan(0, 2 * Count);

    /// <summary><see cref="KernelSize"/> fixed-point weights per output position.</summary>
    public ReadOnlySpan<int> Weights => _weights.AsSpan(0, KernelSize * Count);

    /// <summary>First input index any covered output reads.</summary>
    public int InputStart => _bounds![0];

    /// <summary>One past the last input index any covered output reads.</summary>
    public int InputEnd => _bounds![2 * (Count - 1)] + _bounds[2 * (Count - 1) + 1];

    public static ResampleAxis Create(int inSize, int outSize, int first, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(inSize, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(outSize, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(count, 0);
        if (first < 0 || first + count > outSize)
            throw new ArgumentOutOfRangeException(nameof(first));

        // Pillow passes the box edges as C floats and does the arithmetic in double.
        double scale = (double)((float)inSize - 0f) / outSize;
        double filterScale = scale < 1.0 ? 1.0 : scale;
        double support = 1.0 * filterScale; // bilinear support is 1
        int kernelSize = (int)Math.Ceiling(support) * 2 + 1;
        double inverseFilterScale = 1.0 / filterScale;

        var bounds = ArrayPool<int>.Shared.Rent(2 * count);
        var weights = ArrayPool<int>.Shared.Rent(kernelSize * count);
        Span<double> raw = kernelSize <= 256 ? stackalloc double[kernelSize] : new double[kernelSize];
        for (int i = 0; i < count; i++)
        {
            int xx = first + i;
            double center = 0.0 + (xx + 0.5) * scale;
            int xmin = (int)(center - support + 0.5);
            if (xmin < 0)
                xmin = 0;
            int xmax = (int)(center + support + 0.5);
            if (xmax > inSize)
                xmax = inSize;
            xmax -= xmin;

            double sum = 0.0;
            for (int x = 0; x < xmax; x++)
            {
                double w = Triangle((x + xmin - center + 0.5) * inverseFilterScale);
                raw[x] = w;
                sum += w;
            }

            var row = weights.AsSpan(i * kernelSize, kernelSize);
            for (int x = 0; x < xmax; x++)
            {
                double w = sum != 0.0 ? raw[x] / sum : raw[x];
                row[x] = w < 0 ? (int)(-0.5 + w * (1 << PrecisionBits)) : (int)(0.5 + w * (1 << PrecisionBits));
            }
            row[xmax..].Clear();
            bounds[2 * i] = xmin;
            bounds[2 * i + 1] = xmax;
        }

        return new ResampleAxis(first, count, kernelSize, bounds, weights);
    }

    private static double Triangle(double x)
    {
        if (x < 0.0)
            x = -x;
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    /// <summary>Pillow's <c>clip8</c>: drop the fraction (the rounding half was added up front) and saturate.</summary>
    public static byte Clip8(int accumulator)
    {
        int v = accumulator >> PrecisionBits;
        return (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
    }

    public void Dispose()
    {
        if (_bounds is not null)
            ArrayPool<int>.Shared.Return(_bounds);
        if (_weights is not null)
            ArrayPool<int>.Shared.Return(_weights);
        _bounds = null;
        _weights = null;
    }
}

/// <summary>
/// Pillow's two-pass 8-bit resampling (horizontal pass into an 8-bit intermediate, then vertical pass), restricted to
/// the output rectangle that is actually needed. Pixels are 3 interleaved channels.
/// </summary>
internal static unsafe class PillowBilinearResampler
{
    /// <summary>
    /// Horizontal pass. Reads pixel (x, y) of the (possibly re-oriented) source at
    /// <c>source + origin + x * stepX + y * stepY</c> (R, G, B at +0, +1, +2) for rows
    /// <c>[rowStart, rowStart + rowCount)</c>, and writes <c>rowCount</c> rows of <c>axis.Count</c> RGB pixels to
    /// <paramref name="destination"/>.
    /// </summary>
    public static void Horizontal(
        byte* source, nint origin, nint stepX, nint stepY, int rowStart, int rowCount, ResampleAxis axis, byte* destination)
    {
        var bounds = axis.Bounds;
        var weights = axis.Weights;
        int kernelSize = axis.KernelSize;
        int count = axis.Count;
        fixed (int* kk = weights)
        {
            for (int r = 0; r < rowCount; r++)
            {
                byte* row = source + origin + (rowStart + r) * stepY;
                byte* output = destination + (nint)r * count * 3;
                for (int i = 0; i < count; i++)
                {
                    int taps = bounds[2 * i + 1];
                    int* k = kk + i * kernelSize;
                    byte* p = row + bounds[2 * i] * stepX;
                    int s0 = ResampleAxis.Half, s1 = ResampleAxis.Half, s2 = ResampleAxis.Half;
                    for (int t = 0; t < taps; t++, p += stepX)
                    {
                        int w = k[t];
                        s0 += p[0] * w;
                        s1 += p[1] * w;
                        s2 += p[2] * w;
                    }
                    output[3 * i] = ResampleAxis.Clip8(s0);
                    output[3 * i + 1] = ResampleAxis.Clip8(s1);
                    output[3 * i + 2] = ResampleAxis.Clip8(s2);
                }
            }
        }
    }

    /// <summary><c>acc[j] += source[j] * weight</c> for <c>j &lt; length</c> (exact integer arithmetic, SIMD when available).</summary>
    internal static void MultiplyAdd(byte* source, int weight, int* acc, int length)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var w = Vector256.Create(weight);
            for (; j + Vector256<byte>.Count <= length; j += Vector256<byte>.Count)
            {
                var (low, high) = Vector256.Widen(Vector256.Load(source + j));
                var (a, b) = Vector256.Widen(low);
                var (c, d) = Vector256.Widen(high);
                int* o = acc + j;
                (Vector256.Load(o) + a.AsInt32() * w).Store(o);
                (Vector256.Load(o + 8) + b.AsInt32() * w).Store(o + 8);
                (Vector256.Load(o + 16) + c.AsInt32() * w).Store(o + 16);
                (Vector256.Load(o + 24) + d.AsInt32() * w).Store(o + 24);
            }
        }
        for (; j < length; j++)
            acc[j] += source[j] * weight;
    }

    /// <summary>
    /// Vertical pass over the horizontal pass's rows (whose first row is input row <paramref name="sourceRowStart"/>,
    /// each <paramref name="width"/> RGB pixels), then for each result byte: <c>planes[c][row * planeStride + x] =
    /// lookup[value]</c> where <c>row</c> counts from 0 at <c>axis.First</c>.
    /// </summary>
    public static void Vertical(
        byte* source, int width, int sourceRowStart, ResampleAxis axis,
        float* plane0, float* plane1, float* plane2, int planeStride, ReadOnlySpan<float> lookup)
    {
        var bounds = axis.Bounds;
        var weights = axis.Weights;
        int kernelSize = axis.KernelSize;
        int rowLength = width * 3;
        int[] rented = ArrayPool<int>.Shared.Rent(rowLength);
        try
        {
            fixed (int* kk = weights)
            fixed (int* acc = rented)
            fixed (float* lut = lookup)
            {
                for (int i = 0; i < axis.Count; i++)
                {
                    int taps = bounds[2 * i + 1];
                    int* k = kk + i * kernelSize;
                    byte* rows = source + (nint)(bounds[2 * i] - sourceRowStart) * rowLength;
                    new Span<int>(acc, rowLength).Fill(ResampleAxis.Half);
                    for (int t = 0; t < taps; t++)
                        MultiplyAdd(rows + (nint)t * rowLength, k[t], acc, rowLength);

                    float* o0 = plane0 + (nint)i * planeStride;
                    float* o1 = plane1 + (nint)i * planeStride;
                    float* o2 = plane2 + (nint)i * planeStride;
                    for (int x = 0; x < width; x++)
                    {
                        o0[x] = lut[ResampleAxis.Clip8(acc[3 * x])];
                        o1[x] = lut[ResampleAxis.Clip8(acc[3 * x + 1])];
                        o2[x] = lut[ResampleAxis.Clip8(acc[3 * x + 2])];
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
