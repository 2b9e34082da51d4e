namespace MobileViT.Inference.Telemetry;

/// <summary>What <see cref="LiveStats"/> reports for one model at one moment.</summary>
/// <param name="RequestsPerSecond">Requests of any outcome per second over the last <see cref="LiveStats.RateWindow"/>.</param>
/// <param name="MeanBatchSize">Images per batch run over the last minute; null when no batch ran.</param>
/// <param name="QueueDepth">Requests waiting in the model's queue now.</param>
/// <param name="LatencyP50Ms">Median end-to-end duration of the successful requests of the last minute; null when none.</param>
/// <param name="LatencyP99Ms">99th percentile of the same.</param>
/// <param name="TotalRequests">Requests of any outcome since the service started.</param>
/// <param name="RequestsPerSecondHistory">Requests in each of the last 60 whole seconds, oldest first.</param>
public sealed record ModelLiveStats(
    double RequestsPerSecond,
    double? MeanBatchSize,
    int QueueDepth,
    double? LatencyP50Ms,
    double? LatencyP99Ms,
    long TotalRequests,
    long SuccessfulRequests,
    IReadOnlyList<int> RequestsPerSecondHistory);
