namespace MobileViT.Inference.Telemetry;

/// <summary>How many times something happened and the total time it took.</summary>
public readonly record struct DurationStat(long Count, long Nanoseconds);

/// <summary>Session runs of one batch size.</summary>
public sealed record BatchSizeStatistics(int BatchSize, DurationStat Infer);

/// <summary>
/// One model's totals since the service started. <see cref="InferenceCount"/> is the number of images run (summed
/// batch sizes) and <see cref="ExecutionCount"/> the number of session runs; <see cref="Success"/> and
/// <see cref="Fail"/> count requests with their end-to-end time; <see cref="Queue"/> is per queued image,
/// <see cref="ComputeInput"/> per image preprocessed (decode, resize, normalise; tensors that arrive preprocessed
/// are copied untimed), <see cref="ComputeInfer"/> per session run, <see cref="ComputeOutput"/> per request output shaped.
/// </summary>
public sealed record ModelStatisticsSnapshot(
    DateTimeOffset? LastInference,
    long InferenceCount,
    long ExecutionCount,
    DurationStat Success,
    DurationStat Fail,
    DurationStat Queue,
    DurationStat ComputeInput,
    DurationStat ComputeInfer,
    DurationStat ComputeOutput,
    IReadOnlyList<BatchSizeStatistics> Batches);
