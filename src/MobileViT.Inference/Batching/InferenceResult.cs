namespace MobileViT.Inference.Batching;

/// <summary>
/// One request's output and how it was served: <paramref name="QueueTime"/> from queued to taken into a batch,
/// <paramref name="PreprocessTime"/> spent preprocessing it in the batch (zero when it arrived preprocessed) and
/// <paramref name="InferenceTime"/> of the session run.
/// </summary>
public sealed record InferenceResult(
    float[] Logits,
    TimeSpan QueueTime,
    TimeSpan InferenceTime,
    int BatchSize,
    int Instance,
    string ExecutionProvider,
    TimeSpan PreprocessTime = default);
