namespace MobileViT.Inference.Batching;

/// <summary>A preprocessed sample, copied into the batch. The caller owns the memory until the request completes.</summary>
internal sealed class PixelInput(ReadOnlyMemory<float> pixels) : IBatchInput
{
    public ReadOnlyMemory<float> Pixels { get; } = pixels;

    public bool Preprocesses => false;

    public void WriteTo(Span<float> slot) => Pixels.Span.CopyTo(slot);
}
