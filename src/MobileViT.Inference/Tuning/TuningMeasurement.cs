namespace MobileViT.Inference.Tuning;

/// <summary>
/// What one candidate did: images per second with every instance busy, and the median time of one batch run, which is
/// how long an image waits for its inference at that setting under full load (at batch size 1, the single-image latency).
/// </summary>
public sealed record TuningMeasurement(TuningCandidate Candidate, double ImagesPerSecond, double LatencyP50Ms);
