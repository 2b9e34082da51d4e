namespace MobileViT.Inference.Configuration;

/// <summary><c>MobileViT:Batching</c>: how the dynamic batcher groups queued requests.</summary>
public sealed class BatchingOptions
{
    /// <summary>Largest batch one session run takes.</summary>
    public int MaxBatchSize { get; set; } = 8;

    /// <summary>How long a free instance waits for more requests after the oldest queued one arrived, when it has fewer than <see cref="MaxBatchSize"/>.</summary>
    public int MaxQueueDelayMs { get; set; } = 0;

    /// <summary>Requests waiting beyond this are refused (HTTP 429, gRPC RESOURCE_EXHAUSTED).</summary>
    public int QueueCapacity { get; set; } = 256;

    /// <summary>Default deadline of a request, queueing included, when the client gives none.</summary>
    public int RequestTimeoutMs { get; set; } = 30_000;
}
