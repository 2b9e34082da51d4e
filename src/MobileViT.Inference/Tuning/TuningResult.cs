namespace MobileViT.Inference.Tuning;

/// <summary>The outcome of a warm-up sweep: the chosen setting and every figure it was based on.</summary>
public sealed record TuningResult(
    TuningCandidate Chosen,
    bool WithinLatencyBudget,
    double LatencyBudgetMs,
    IReadOnlyList<TuningMeasurement> Measured,
    int Skipped,
    TimeSpan Duration,
    TimeSpan TimeBudget);
