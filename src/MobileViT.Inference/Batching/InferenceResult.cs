namespace MobileViT.Inference.Batching;

/// <summary>
/// One request's output and how it was served: <paramref name="QueueTime"/> from queued to taken into a batch,
/// <paramref name="PreprocessTime"/> spent preprocessing it in the batch (zero when it arrived preprocessed) and
/// <paramref name="InferenceTime"/> of the session run; <paramref name="Input"/> is the tensor the model was given, when the
/// request asked to keep it.
/// </summary>
public sealed record InferenceResult(
    float[] Logits,
    TimeSpan QueueTime,
    TimeSpan InferenceTime,
    int BatchSize,
    int Instance,
    string ExecutionProvider,
    TimeSpan PreprocessTime = default,
    float[]? Input = null);
