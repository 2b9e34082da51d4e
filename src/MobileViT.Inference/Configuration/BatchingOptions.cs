namespace MobileViT.Inference.Configuration;

/// <summary><c>MobileViT:Batching</c>: how the dynamic batcher groups queued requests.</summary>
public sealed class BatchingOptions
{
    /// <summary>Largest batch one session run takes. Unset means auto: <see cref="CpuAutoMaxBatchSize"/> on CPU, <see cref="GpuAutoMaxBatchSize"/> on CUDA.</summary>
    public int? MaxBatchSize { get; set; }

    /// <summary>
    /// On CPU, batching buys almost nothing for this network and large batches lose throughput (measured, 2 cores,
    /// 2 instances x 1 thread: XXS peaks at batch 2, S at batch 1 with batch 2 within 5%, batch 8 ~10% lower for both).
    /// </summary>
    public const int CpuAutoMaxBatchSize = 2;

    /// <summary>On a GPU, batching is what fills the device.</summary>
    public const int GpuAutoMaxBatchSize = 32;

    public int ResolveMaxBatchSize(bool onGpu) => MaxBatchSize ?? (onGpu ? GpuAutoMaxBatchSize : CpuAutoMaxBatchSize);

    /// <summary>How long a free instance waits for more requests after the oldest queued one arrived, when it has fewer than <see cref="MaxBatchSize"/>.</summary>
    public int MaxQueueDelayMs { get; set; } = 0;

    /// <summary>Requests waiting beyond this are refused (HTTP 429, gRPC RESOURCE_EXHAUSTED).</summary>
    public int QueueCapacity { get; set; } = 256;

    /// <summary>Default deadline of a request, queueing included, when the client gives none.</summary>
    public int RequestTimeoutMs { get; set; } = 30_000;

    /// <summary>Each priority's share of <see cref="QueueCapacity"/>.</summary>
    public PriorityOptions Priority { get; set; } = new();

    /// <summary>
    /// Refuse at once (429, RESOURCE_EXHAUSTED) a request that cannot finish before its deadline, as predicted from the
    /// work admitted ahead of it and stretched by the calibrated margin, instead of queueing it to expire.
    /// </summary>
    public bool WaitAwareAdmission { get; set; } = true;

    /// <summary>The recent window over which the drain rate and the time of a batch by its size are measured.</summary>
    public int DrainRateWindowMs { get; set; } = 5_000;

    /// <summary>
    /// The quantile of recent lateness (how much later than its prediction, stretched by the calibrated factor, an
    /// admitted request finished) used as the offset added to predictions before they are compared with a deadline.
    /// Higher leaves more room and refuses more; the share of admitted requests that can still expire is about what is
    /// above it.
    /// </summary>
    public double AdmissionQuantile { get; set; } = 0.999;

    /// <summary>The recent window of admitted requests the margin is calibrated over.</summary>
    public int AdmissionCalibrationWindowMs { get; set; } = 10_000;

    /// <summary>
    /// The margin before the calibration has enough samples (right after start, or after a quiet spell): room for the
    /// estimate's error, for requests of higher priority that arrive later and go first, and for the body read after
    /// admission.
    /// </summary>
    public double WaitEstimateSafetyFactor { get; set; } = 2.0;
}
