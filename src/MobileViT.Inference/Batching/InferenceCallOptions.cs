using MobileViT.Inference.Serving;

namespace MobileViT.Inference.Batching;

/// <summary>
/// Per-request settings for the batcher: the deadline, as a timeout (default from configuration) counted from
/// <paramref name="StartTimestamp"/> (a timestamp of the batcher's <see cref="TimeProvider"/>; 0: from when it is queued),
/// so that time spent before queueing counts against it; the priority, which picks the queue it waits in; and whether
/// the result keeps a copy of the tensor the model was given (<see cref="InferenceResult.Input"/>).
/// </summary>
public readonly record struct InferenceCallOptions(TimeSpan? Timeout = null, long StartTimestamp = 0, RequestPriority Priority = RequestPriority.Normal,
    bool KeepInput = false);
