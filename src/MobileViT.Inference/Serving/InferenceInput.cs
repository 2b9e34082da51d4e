namespace MobileViT.Inference.Serving;

/// <summary>
/// A request's samples: encoded images that the server preprocesses, or an already preprocessed pixel tensor.
/// <see cref="Owner"/>, when set, holds the memory the samples live in (pooled upload buffers) and is disposed
/// when the request ends.
/// </summary>
public abstract record InferenceInput
{
    private protected InferenceInput()
    {
    }

    public IDisposable? Owner { get; init; }

    /// <summary>
    /// A timeout that arrived with the input itself (e.g. Triton's <c>parameters.timeout</c> inside a REST body),
    /// counted from the request's arrival; the earlier of it and the request's timeout applies. Must be positive.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// A priority the input itself declared (KServe V2 REST's <c>parameters.priority</c> is in the body); it replaces
    /// the request's when <see cref="InferenceRequest.ParametersInInput"/> is set.
    /// </summary>
    public RequestPriority? Priority { get; init; }

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
