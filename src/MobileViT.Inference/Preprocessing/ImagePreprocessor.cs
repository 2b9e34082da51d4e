namespace MobileViT.Inference.Preprocessing;

/// <summary>Decodes an encoded image and writes the model input tensor (CHW float32) exactly as Hugging Face's MobileViT image processor does.</summary>
public sealed class ImagePreprocessor(PreprocessorConfig config, long maxPixels)
{
    public PreprocessorConfig Config { get; } = config;
    public long MaxPixels { get; } = maxPixels;
    public int OutputHeight => Config.CropHeight;
    public int OutputWidth => Config.CropWidth;
    public int OutputLength => 3 * OutputHeight * OutputWidth;

    /// <summary>Throws <see cref="InvalidImageException"/> for anything that is not a decodable image within the pixel limit.</summary>
    public void Preprocess(ReadOnlySpan<byte> encodedImage, Span<float> destination) => throw new NotImplementedException();
}
