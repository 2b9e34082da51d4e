using MobileViT.Inference.Batching;

namespace MobileViT.Service.Tests.RequestPath;

/// <summary>
/// A batch input that holds its worker inside the batch until released: queued straight on a model's batcher, it
/// keeps the model busy for exactly as long as a test needs, so that queueing, deadlines and cancellation are
/// deterministic over a real server.
/// </summary>
public sealed class GateInput : IBatchInput
{
    private readonly ManualResetEventSlim _release = new();

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Preprocesses => true;

    public void WriteTo(Span<float> slot)
    {
        Entered.TrySetResult();
        _release.Wait(TimeSpan.FromMinutes(1));
        slot.Clear();
    }

    public void Release() => _release.Set();
}
