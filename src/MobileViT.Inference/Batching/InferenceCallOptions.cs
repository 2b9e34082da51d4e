namespace MobileViT.Inference.Batching;

/// <summary>
/// Per-request settings: the deadline (queueing included; default from configuration), the protocol it came in on (for
/// metrics) and, optionally, the <see cref="System.Diagnostics.Stopwatch"/> timestamp at which the request's handling
/// began, so that end-to-end latency includes work done before the batcher (0: measure from when it was queued).
/// </summary>
public readonly record struct InferenceCallOptions(TimeSpan? Timeout = null, string Protocol = "http", long StartTimestamp = 0);
