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
    /// <summary>How the load was offered: <c>c=N</c> (closed loop), <c>R/s</c> (open loop), or <c>N/P ms</c> (bursts of N every P ms).</summary>
    public string Load => Mode switch
    {
        "closed" => $"c={Concurrency}",
        "burst" => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Concurrency}/{Concurrency / TargetRate * 1000:0}ms"),
        _ => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{TargetRate:0}/s"),
    };

    /// <summary>The server process's CPU time (user + system) per completed request over the point, when measured.</summary>
    public double? ServerCpuSecondsPerRequest { get; init; }
}
