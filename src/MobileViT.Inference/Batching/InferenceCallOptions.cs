namespace MobileViT.Inference.Batching;

/// <summary>Per-request settings: the deadline (queueing included; default from configuration) and the protocol it came in on, for metrics.</summary>
public readonly record struct InferenceCallOptions(TimeSpan? Timeout = null, string Protocol = "http");
