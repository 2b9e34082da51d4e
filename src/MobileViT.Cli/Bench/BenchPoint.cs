namespace MobileViT.Cli.Bench;

/// <summary>One measured point of a sweep; <see cref="Images"/> says which images were sent (see <see cref="BenchImages.GroupBy"/>).</summary>
public sealed record BenchPoint(
    string Protocol,
    string Images,
    string Mode,
    int Concurrency,
    double? TargetRate,
    double DurationSeconds,
    long Completed,
    double Throughput,
    LatencySummary LatencyMs,
    IReadOnlyDictionary<string, long> Errors,
    double MeanBatchSize,
    double MeanQueueMs,
    double MeanInferenceMs,
    double MeanPreprocessMs)
{
    /// <summary>The server process's CPU time (user + system) per completed request over the point, when measured.</summary>
    public double? ServerCpuSecondsPerRequest { get; init; }
}
