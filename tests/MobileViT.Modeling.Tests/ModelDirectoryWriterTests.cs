using System.Text.Json;
using MobileViT.Modeling;

namespace MobileViT.Modeling.Tests;

public sealed class ModelDirectoryWriterTests : IDisposable
{
    private readonly TemporaryDirectory temporary = new();

    private string directory => temporary.Path;

    public void Dispose() => temporary.Dispose();

    [Fact]
    public void ImageNetLabels_HasTheThousandLabelsOfTheSharedConfig()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedFixtures.MobileViTXxsSeed7, "config.json")));
        var id2Label = config.RootElement.GetProperty("id2label");

        Assert.Equal(1000, ImageNetLabels.All.Count);
        for (var i = 0; i < 1000; i++)
            Assert.Equal(id2Label.GetProperty(i.ToString()).GetString(), ImageNetLabels.All[i]);
    }

    [Fact]
    public void Write_CreatesHuggingFaceLayout_WithVariantConfigAndLabels()
    {
        var onnx = new byte[] { 1, 2, 3 };
        ModelDirectoryWriter.Write(directory, MobileViTVariant.Xs, onnx);

        Assert.Equal(onnx, File.ReadAllBytes(Path.Combine(directory, "onnx", "model.onnx")));
        Assert.Equal(
            new[] { "config.json", Path.Combine("onnx", "model.onnx"), "preprocessor_config.json" },
            Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(directory, f)).Order());

        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "config.json")));
        var root = config.RootElement;
        Assert.Equal("mobilevit", root.GetProperty("model_type").GetString());
        Assert.Equal("MobileViTForImageClassification", root.GetProperty("architectures")[0].GetString());
        Assert.Equal(new[] { 96, 120, 144 }, root.GetProperty("hidden_sizes").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(new[] { 16, 32, 48, 64, 80, 96, 384 }, root.GetProperty("neck_hidden_sizes").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(4, root.GetProperty("num_attention_heads").GetInt32());
        Assert.Equal(4.0, root.GetProperty("expand_ratio").GetDouble());
        Assert.Equal(1000, root.GetProperty("id2label").EnumerateObject().Count());
        Assert.Equal("tench, Tinca tinca", root.GetProperty("id2label").GetProperty("0").GetString());
        Assert.Equal(999, root.GetProperty("label2id").GetProperty("toilet tissue, toilet paper, bathroom tissue").GetInt32());
    }

    [Fact]
    public void Write_PreprocessorConfig_MatchesTheSharedOne()
    {
        ModelDirectoryWriter.Write(directory, MobileViTVariant.Xxs, new byte[] { 0 });

        using var written = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "preprocessor_config.json")));
        using var shared = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedFixtures.MobileViTXxsSeed7, "preprocessor_config.json")));
        Assert.True(JsonElement.DeepEquals(shared.RootElement, written.RootElement),
            "preprocessor_config.json differs from the shared fixture:\n" + written.RootElement);
    }

    [Fact]
    public void Write_OverExistingDirectory_ReplacesFilesAndLeavesNoTemporaries()
    {
        ModelDirectoryWriter.Write(directory, MobileViTVariant.Xxs, new byte[] { 1 });
        ModelDirectoryWriter.Write(directory, MobileViTVariant.S, new byte[] { 2 });

        Assert.Equal(new byte[] { 2 }, File.ReadAllBytes(Path.Combine(directory, "onnx", "model.onnx")));
        Assert.Empty(Directory.EnumerateFiles(directory, "*.tmp", SearchOption.AllDirectories));
        Assert.Contains("\"mobilevit-s\"", File.ReadAllText(Path.Combine(directory, "config.json")));
    }
}
