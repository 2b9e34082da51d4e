namespace MobileViT.Inference.Batching;

/// <summary>One request's output and how it was served.</summary>
public sealed record InferenceResult(
    float[] Logits,
    TimeSpan QueueTime,
    TimeSpan InferenceTime,
    int BatchSize,
    int Instance,
    string ExecutionProvider);
