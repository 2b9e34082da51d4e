using System.Diagnostics;

namespace MobileViT.Inference.Batching;

/// <summary>
/// A queued request. Its state moves once, either from Queued to Running (the batcher took it) or from Queued to
/// Abandoned (its client cancelled or its deadline passed), so abandoned work is never run and a running request's
/// input is never released under it.
/// </summary>
internal sealed class QueuedRequest(IBatchInput input, long enqueuedTimestamp, long deadlineTimestamp, Serving.RequestPriority priority,
    bool keepInput, CancellationToken cancellationToken)
{
    private const int Queued = 0;
    private const int Running = 1;
    private const int Abandoned = 2;

    private int _state;

    public IBatchInput Input { get; } = input;
    public long EnqueuedTimestamp { get; } = enqueuedTimestamp;
    public long DeadlineTimestamp { get; } = deadlineTimestamp;
    public Serving.RequestPriority Priority { get; } = priority;
    public bool KeepInput { get; } = keepInput;
    public CancellationToken CancellationToken { get; } = cancellationToken;
    public Activity? Activity { get; } = Activity.Current;

    /// <summary>What admission predicted for it, taken over from its reservation; null when it was not admitted by prediction.</summary>
    public AdmissionPrediction? Prediction { get; set; }

    public TaskCompletionSource<InferenceResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool TryStart() => Interlocked.CompareExchange(ref _state, Running, Queued) == Queued;

    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, Queued) == Queued;
}
