using SkiaSharp;
using MobileViT.Inference.Preprocessing;

namespace MobileViT.Inference.Inspection;

/// <summary>
/// The picture a model is given for an image: the preprocessor's own output tensor turned back into 8-bit RGB (channel
/// flip and rescale undone) and encoded as PNG, so a person sees exactly the crop the network classifies.
/// </summary>
public static class ModelInputImage
{
    /// <exception cref="InvalidImageException">The image is not decodable or is over the pixel limit.</exception>
    public static byte[] EncodePng(ImagePreprocessor preprocessor, ReadOnlySpan<byte> encodedImage)
    {
        var tensor = new float[preprocessor.OutputLength];
        preprocessor.Preprocess(encodedImage, tensor);
        return EncodePng(preprocessor.Config, tensor, preprocessor.OutputWidth, preprocessor.OutputHeight);
    }

    /// <summary>Encodes a CHW tensor laid out as <paramref name="config"/> produces it.</summary>
    public static byte[] EncodePng(PreprocessorConfig config, ReadOnlySpan<float> chw, int width, int height)
    {
        var plane = width * height;
        if (chw.Length < 3 * plane)
            throw new ArgumentException($"the tensor holds {chw.Length} floats, {3 * plane} needed", nameof(chw));
        var scale = config.DoRescale ? 1.0 / config.RescaleFactor : 1.0;
        var red = chw.Slice(config.DoFlipChannelOrder ? 2 * plane : 0, plane);
        var green = chw.Slice(plane, plane);
        var blue = chw.Slice(config.DoFlipChannelOrder ? 0 : 2 * plane, plane);

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = bitmap.GetPixelSpan();
        for (var i = 0; i < plane; i++)
        {
            pixels[4 * i] = ToByte(red[i], scale);
            pixels[4 * i + 1] = ToByte(green[i], scale);
            pixels[4 * i + 2] = ToByte(blue[i], scale);
            pixels[4 * i + 3] = 255;
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static byte ToByte(float value, double scale) => (byte)Math.Clamp(Math.Round(value * scale), 0, 255);
}
