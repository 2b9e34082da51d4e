namespace MobileViT.Inference.Tuning;

/// <summary>Picks a setting among measured candidates.</summary>
internal static class TuningChoice
{
    /// <summary>
    /// The best throughput among candidates whose latency is within <paramref name="latencyBudgetMs"/>; when none is,
    /// the lowest-latency candidate (<c>WithinBudget</c> false). Ties go to the earlier candidate, i.e. the smaller setting.
    /// </summary>
    public static (TuningMeasurement Chosen, bool WithinBudget) Choose(IReadOnlyList<TuningMeasurement> measured, double latencyBudgetMs)
    {
        ArgumentOutOfRangeException.ThrowIfZero(measured.Count);
        var usable = measured.Where(m => !double.IsNaN(m.LatencyP50Ms)).ToList();
        TuningMeasurement? best = null;
        foreach (var m in usable.Where(m => m.LatencyP50Ms <= latencyBudgetMs))
        {
            if (best is null || m.ImagesPerSecond > best.ImagesPerSecond)
                best = m;
        }
        if (best is not null)
            return (best, true);
        var fastest = usable.Count == 0 ? measured[0] : usable[0];
        foreach (var m in usable.Where(m => m.LatencyP50Ms < fastest.LatencyP50Ms))
            fastest = m;
        return (fastest, false);
    }
}
