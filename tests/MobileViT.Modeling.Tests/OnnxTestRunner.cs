using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MobileViT.Modeling.Tests;

/// <summary>Runs a serialized MobileViT ONNX model with ONNX Runtime (default session options, CPU).</summary>
internal static class OnnxTestRunner
{
    public const int ImageSize = 256;
    public const int Classes = 1000;

    public static float[] RunLogits(byte[] model, float[] pixels, int batch)
    {
        using var session = new InferenceSession(model);
        return RunLogits(session, pixels, batch);
    }

    public static float[] RunLogits(InferenceSession session, float[] pixels, int batch)
    {
        var input = new DenseTensor<float>(pixels, new[] { batch, 3, ImageSize, ImageSize });
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("pixel_values", input) });
        var logits = results.Single(r => r.Name == "logits").AsTensor<float>();
        Assert.Equal(new[] { batch, Classes }, logits.Dimensions.ToArray());
        return logits.ToArray();
    }

    public static float MaxAbsDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        var max = 0f;
        for (var i = 0; i < a.Length; i++)
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    /// <summary>Deterministic pseudo-image pixels in [0, 1).</summary>
    public static float[] RandomPixels(int batch, int seed)
    {
        var random = new Random(seed);
        var pixels = new float[batch * 3 * ImageSize * ImageSize];
        for (var i = 0; i < pixels.Length; i++)
            pixels[i] = random.NextSingle();
        return pixels;
    }
}
