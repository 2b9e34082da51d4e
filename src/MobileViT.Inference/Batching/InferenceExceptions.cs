using MobileViT.Inference.Serving;

namespace MobileViT.Inference.Batching;

/// <summary>The model's queue is at capacity; the client should retry later.</summary>
internal sealed class QueueFullException(string model, int capacity, TimeSpan? retryAfter = null)
    : InferenceException(ErrorKind.QueueFull, $"Model '{model}' has {capacity} requests queued, its capacity; retry shortly.",
        retryAfter: retryAfter ?? TimeSpan.FromSeconds(1));

/// <summary>The request's deadline passed before it ran; it was never run.</summary>
internal sealed class DeadlineExceededException(TimeSpan timeout)
    : InferenceException(ErrorKind.DeadlineExceeded, $"The request's {timeout.TotalMilliseconds:0} ms deadline passed before it could run; it was not run.");

/// <summary>The model is not accepting work: still loading or warming, or draining for shutdown.</summary>
internal sealed class ModelUnavailableException(string message)
    : InferenceException(ErrorKind.Unavailable, message, retryAfter: TimeSpan.FromSeconds(1));

/// <summary>The batch this request was part of failed; other batches are unaffected.</summary>
internal sealed class InferenceFailedException(string message, Exception inner) : InferenceException(ErrorKind.Failed, message, inner: inner);
