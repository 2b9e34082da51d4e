namespace MobileViT.Inference.Batching;

/// <summary>
/// What a queued request puts into its slot of the batch: the batcher does not care whether that is a copy of
/// preprocessed pixels or the decode and resize of an encoded image.
/// </summary>
public interface IBatchInput
{
    /// <summary>True when writing is real work (decoding an image), which the batcher times and traces as preprocessing.</summary>
    bool Preprocesses { get; }

    /// <summary>Writes the sample into <paramref name="slot"/>; throws an <see cref="Serving.InferenceException"/> when the input turns out to be unusable.</summary>
    void WriteTo(Span<float> slot);
}
