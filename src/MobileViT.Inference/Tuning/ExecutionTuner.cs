namespace MobileViT.Inference.Tuning;

/// <summary>
/// Sweeps candidates within a time budget and chooses one (<see cref="TuningChoice"/>). The time left is shared out
/// evenly between the points not yet measured, so what one point's set-up costs comes out of the later ones, and the
/// sweep stops early when a point would get less than <see cref="MinimumPointTime"/>.
/// </summary>
internal sealed class ExecutionTuner(TimeSpan budget, double latencyBudgetMs, TimeProvider time)
{
    public static readonly TimeSpan MinimumPointTime = TimeSpan.FromMilliseconds(150);

    /// <summary>A point's warm-up: a quarter of its time, at most half a second; the rest is measured.</summary>
    public static (TimeSpan Warmup, TimeSpan Duration) Split(TimeSpan pointTime)
    {
        var warmup = TimeSpan.FromTicks(Math.Min(pointTime.Ticks / 4, TimeSpan.FromMilliseconds(500).Ticks));
        return (warmup, pointTime - warmup);
    }

    /// <param name="measure">Measures one candidate with the given warm-up and measuring time.</param>
    public TuningResult Run(IReadOnlyList<TuningCandidate> candidates, Func<TuningCandidate, TimeSpan, TimeSpan, TuningMeasurement> measure)
    {
        ArgumentOutOfRangeException.ThrowIfZero(candidates.Count);
        var started = time.GetTimestamp();
        var measured = new List<TuningMeasurement>();
        for (var i = 0; i < candidates.Count; i++)
        {
            var remaining = budget - time.GetElapsedTime(started);
            var pointTime = remaining / (candidates.Count - i);
            if (pointTime < MinimumPointTime && measured.Count > 0)
                break;
            var (warmup, duration) = Split(pointTime < MinimumPointTime ? MinimumPointTime : pointTime);
            measured.Add(measure(candidates[i], warmup, duration));
        }
        var (chosen, withinBudget) = TuningChoice.Choose(measured, latencyBudgetMs);
        return new TuningResult(chosen.Candidate, withinBudget, latencyBudgetMs, measured, candidates.Count - measured.Count,
            time.GetElapsedTime(started), budget);
    }
}
