using System.Text.Json;
using MobileViT.Inference.Preprocessing;
using Xunit.Abstractions;

namespace MobileViT.Inference.Tests.Preprocessing;

/// <summary>Compares against the tensors Hugging Face's MobileViTImageProcessor produced (shared/fixtures/preprocess).</summary>
public sealed class PreprocessingFixtureTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> FixtureImages()
    {
        var data = new TheoryData<string, string>();
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedFixtures.Preprocess, "index.json")));
        foreach (var entry in index.RootElement.EnumerateObject())
        {
            data.Add(entry.Name, "default");
            data.Add(entry.Name, "SkiaSharp");
        }
        return data;
    }

    /// <summary>Exact mode is bit-identical to Hugging Face, with libturbojpeg and with the SkiaSharp fallback alike.</summary>
    [Theory]
    [MemberData(nameof(FixtureImages))]
    public void SharedFixture_MatchesHuggingFaceTensor(string image, string decoder)
    {
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedFixtures.Preprocess, "index.json")));
        var entry = index.RootElement.GetProperty(image);
        var expected = SharedFixtures.ReadFloats(Path.Combine(SharedFixtures.Preprocess, entry.GetProperty("expected").GetString()!));
        var shape = entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(new[] { 3, 256, 256 }, shape);

        var preprocessor = decoder == "SkiaSharp"
            ? new ImagePreprocessor(PreprocessorConfig.MobileViTDefault, 50_000_000, PreprocessingMode.Exact, turboJpeg: null)
            : new ImagePreprocessor(PreprocessorConfig.MobileViTDefault, 50_000_000);
        var actual = new float[preprocessor.OutputLength];
        Assert.Equal(expected.Length, actual.Length);
        preprocessor.Preprocess(File.ReadAllBytes(Path.Combine(SharedFixtures.Preprocess, image)), actual);

        var (mean, max, differing, _) = TensorDifference.Between(actual, expected);
        string report = $"{image} ({preprocessor.JpegDecoder}): mean |diff| = {mean:F5}/255, max |diff| = {max:F3}/255, differing values = {differing} of {actual.Length}";
        output.WriteLine(report);
        Assert.True(differing == 0, report);
    }
}
