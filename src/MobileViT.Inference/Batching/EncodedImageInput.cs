using MobileViT.Inference.Preprocessing;

namespace MobileViT.Inference.Batching;

/// <summary>
/// An encoded image that the worker taking it decodes and preprocesses straight into its batch slot. The caller owns
/// the bytes until the request completes.
/// </summary>
internal sealed class EncodedImageInput(ImagePreprocessor preprocessor, ReadOnlyMemory<byte> image) : IBatchInput
{
    public ReadOnlyMemory<byte> Image { get; } = image;

    public bool Preprocesses => true;

    public void WriteTo(Span<float> slot) => preprocessor.Preprocess(Image.Span, slot);
}
