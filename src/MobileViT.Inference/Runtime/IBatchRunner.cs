namespace MobileViT.Inference.Runtime;

/// <summary>What the batcher needs of a session instance: input slots to fill, a run, and output slots to read.</summary>
internal interface IBatchRunner : IDisposable
{
    int Id { get; }
    string ExecutionProvider { get; }
    int MaxBatchSize { get; }
    Span<float> InputSlot(int index);
    ReadOnlySpan<float> OutputSlot(int index);
    void Run(int batchSize);
}
