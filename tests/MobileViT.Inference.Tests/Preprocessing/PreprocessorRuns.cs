using MobileViT.Inference.Preprocessing;
using Xunit.Abstractions;

namespace MobileViT.Inference.Tests.Preprocessing;

/// <summary>Running a preprocessor on encoded bytes and comparing tensors, for the tests that pit decoders against each other.</summary>
internal static class PreprocessorRuns
{
    public static float[] Run(ImagePreprocessor preprocessor, byte[] encoded)
    {
        var result = new float[preprocessor.OutputLength];
        preprocessor.Preprocess(encoded, result);
        return result;
    }

    /// <summary>The tensor, or null with the reason the image was refused.</summary>
    public static InvalidImageReason? Outcome(ImagePreprocessor preprocessor, byte[] encoded, out float[]? tensor)
    {
        tensor = null;
        try
        {
            tensor = Run(preprocessor, encoded);
            return null;
        }
        catch (InvalidImageException e)
        {
            return e.Reason;
        }
    }

    public static void AssertIdentical(ITestOutputHelper output, float[] expected, float[] actual, string what)
    {
        var (mean, max, differing, _) = TensorDifference.Between(actual, expected);
        output.WriteLine($"{what}: mean |diff| {mean:F5}/255, max {max:F3}/255, {differing} values differ");
        Assert.True(differing == 0, $"{what}: {differing} values differ (max {max:F3}/255)");
    }
}
