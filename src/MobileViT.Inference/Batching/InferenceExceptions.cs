namespace MobileViT.Inference.Batching;

/// <summary>The model's queue is at capacity; the client should retry later.</summary>
public sealed class QueueFullException(string model, int capacity)
    : Exception($"Model '{model}' has {capacity} requests queued, its capacity; retry shortly.")
{
    public TimeSpan RetryAfter { get; } = TimeSpan.FromSeconds(1);
}

/// <summary>The request's deadline passed while it was queued; it was never run.</summary>
public sealed class DeadlineExceededException(TimeSpan timeout)
    : Exception($"The request waited longer than its {timeout.TotalMilliseconds:0} ms deadline and was not run.");

/// <summary>The model is not accepting work: still loading or warming, or draining for shutdown.</summary>
public sealed class ModelUnavailableException(string message) : Exception(message);

/// <summary>The batch this request was part of failed; other batches are unaffected.</summary>
public sealed class InferenceFailedException(string message, Exception inner) : Exception(message, inner);
