namespace MobileViT.Inference.Telemetry;

/// <summary>
/// Counts durations in logarithmic bins (each 4% wider than the last, from 0.05 ms to about 10 minutes), so percentiles
/// come out within 2% of the true value in constant memory whatever the request rate.
/// </summary>
internal sealed class LatencyHistogram
{
    private const double SmallestMs = 0.05;
    private const double Growth = 1.04;
    public const int BinCount = 420;

    private static readonly double LogGrowth = Math.Log(Growth);
    private readonly int[] _counts = new int[BinCount];

    public long Count { get; private set; }

    public void Record(double milliseconds)
    {
        _counts[BinOf(milliseconds)]++;
        Count++;
    }

    public void Clear()
    {
        Array.Clear(_counts);
        Count = 0;
    }

    public void AddTo(LatencyHistogram total)
    {
        for (var i = 0; i < BinCount; i++)
            total._counts[i] += _counts[i];
        total.Count += Count;
    }

    /// <summary>The duration below which <paramref name="quantile"/> of the recorded durations lie (bin centre), or null when empty.</summary>
    public double? Percentile(double quantile)
    {
        if (Count == 0)
            return null;
        var rank = Math.Max(1, (long)Math.Ceiling(quantile * Count));
        long seen = 0;
        for (var i = 0; i < BinCount; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
                return CentreOf(i);
        }
        return CentreOf(BinCount - 1);
    }

    private static int BinOf(double milliseconds) =>
        milliseconds <= SmallestMs ? 0 : Math.Min(BinCount - 1, (int)(Math.Log(milliseconds / SmallestMs) / LogGrowth) + 1);

    /// <summary>Geometric centre of bin <paramref name="bin"/>, which holds durations in (SmallestMs * Growth^(bin-1), SmallestMs * Growth^bin].</summary>
    private static double CentreOf(int bin) => bin == 0 ? SmallestMs : SmallestMs * Math.Pow(Growth, bin - 0.5);
}
