namespace MobileViT.Inference.Batching;

/// <summary>A batch of <paramref name="Size"/> images an instance has been busy with since <paramref name="BusySince"/> (a timestamp).</summary>
internal sealed record RunningBatch(long BusySince, int Size);
