using SkiaSharp;
using MobileViT.Inference.Inspection;
using MobileViT.Inference.Preprocessing;

namespace MobileViT.Inference.Tests.Inspection;

public sealed class ModelInputImageTests
{
    [Fact]
    public void A_bgr_tensor_scaled_by_one_over_255_becomes_rgb_bytes_rounded_and_clamped()
    {
        // 2x1 pixels; the default MobileViT config stores channels B, G, R.
        const int plane = 2;
        var chw = new float[3 * plane];
        float Scaled(double v) => (float)(v / 255);
        chw[0] = Scaled(10); chw[plane] = Scaled(20); chw[2 * plane] = Scaled(250);          // pixel 0: B, G, R
        chw[1] = Scaled(-3); chw[plane + 1] = Scaled(100.4); chw[2 * plane + 1] = Scaled(300); // pixel 1

        var png = ModelInputImage.EncodePng(PreprocessorConfig.MobileViTDefault, chw, 2, 1);

        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal(new SKColor(250, 20, 10), bitmap.GetPixel(0, 0));
        Assert.Equal(new SKColor(255, 100, 0), bitmap.GetPixel(1, 0));
    }

    [Fact]
    public void A_config_without_flip_or_rescale_is_read_as_rgb_bytes()
    {
        var config = PreprocessorConfig.MobileViTDefault with { DoFlipChannelOrder = false, DoRescale = false };
        float[] chw = [200, 40, 7];

        using var bitmap = SKBitmap.Decode(ModelInputImage.EncodePng(config, chw, 1, 1));

        Assert.Equal(new SKColor(200, 40, 7), bitmap.GetPixel(0, 0));
    }

    [Fact]
    public void The_png_of_an_image_is_the_crop_size_and_matches_the_preprocessor_output()
    {
        var preprocessor = new ImagePreprocessor(PreprocessorConfig.MobileViTDefault, 10_000_000);
        using var source = new SKBitmap(300, 500, SKColorType.Rgba8888, SKAlphaType.Opaque);
        source.Erase(new SKColor(30, 120, 210));
        using var encoded = SKImage.FromBitmap(source).Encode(SKEncodedImageFormat.Png, 100);
        var tensor = new float[preprocessor.OutputLength];
        preprocessor.Preprocess(encoded.AsSpan(), tensor);

        using var crop = SKBitmap.Decode(ModelInputImage.EncodePng(preprocessor, encoded.AsSpan()));

        Assert.Equal((256, 256), (crop.Width, crop.Height));
        var plane = 256 * 256;
        var centre = 128 * 256 + 128;
        var expected = new SKColor((byte)Math.Round(tensor[2 * plane + centre] * 255), (byte)Math.Round(tensor[plane + centre] * 255),
            (byte)Math.Round(tensor[centre] * 255));
        Assert.Equal(expected, crop.GetPixel(128, 128));
        Assert.Equal(new SKColor(30, 120, 210), crop.GetPixel(128, 128));
    }

    [Fact]
    public void Bytes_that_are_not_an_image_are_refused_as_the_preprocessor_refuses_them()
    {
        var preprocessor = new ImagePreprocessor(PreprocessorConfig.MobileViTDefault, 10_000_000);

        Assert.Throws<InvalidImageException>(() => ModelInputImage.EncodePng(preprocessor, "not an image"u8));
    }
}
