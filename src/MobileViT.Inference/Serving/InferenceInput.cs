namespace MobileViT.Inference.Serving;

/// <summary>
/// A request's samples: encoded images that the server preprocesses, or an already preprocessed pixel tensor. The
/// adapter owns the memory they live in; it may reuse it once <see cref="InferenceCall.RunAsync"/> has returned.
/// </summary>
public abstract record InferenceInput
{
    private protected InferenceInput()
    {
    }

    public abstract int SampleCount { get; }

    public abstract long ByteCount { get; }

    /// <summary>Encoded image files (JPEG, PNG, ...), one sample each.</summary>
    public sealed record EncodedImages(IReadOnlyList<ReadOnlyMemory<byte>> Images) : InferenceInput
    {
        public override int SampleCount => Images.Count;

        public override long ByteCount => Images.Sum(i => (long)i.Length);
    }

    /// <summary>
    /// Preprocessed pixels, row-major with the given shape, which must be [N, channels, height, width] of the model.
    /// <paramref name="Name"/> names the tensor in error messages.
    /// </summary>
    public sealed record PixelTensor(string Name, ReadOnlyMemory<float> Values, IReadOnlyList<long> Shape) : InferenceInput
    {
        public override int SampleCount => Shape.Count > 0 ? (int)Math.Clamp(Shape[0], 0, int.MaxValue) : 0;

        public override long ByteCount => (long)Values.Length * sizeof(float);
    }
}
