using MobileViT.Inference.Models.Repository;
using MobileViT.Modeling;

namespace MobileViT.Inference.Tests.Models;

/// <summary>What the scanner takes for a model, a version, and a version that cannot be loaded yet.</summary>
public sealed class RepositoryScannerTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    public RepositoryScannerTests() => Directory.CreateDirectory(_root.Path);

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Versions_are_positive_integers_and_hidden_or_temporary_entries_are_skipped()
    {
        WriteVersion("m/1");
        WriteVersion("m/12");
        WriteVersion("m/.3.tmp");
        WriteVersion("m/latest");
        WriteVersion("m/007");
        WriteVersion(".staging/1");
        WriteVersion("bad name/1");

        var (models, ignored) = RepositoryScanner.Scan(_root.Path);

        var model = Assert.Single(models);
        Assert.Equal("m", model.Name);
        Assert.Equal([1, 12], model.Versions.Keys.Order());
        Assert.All(model.Versions.Values, v => Assert.True(v.Complete));
        Assert.Contains(ignored, i => i.Contains("'bad name'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_version_with_a_missing_empty_or_unparseable_file_is_incomplete_and_says_which()
    {
        WriteVersion("m/1");
        File.Delete(Path.Combine(_root.Path, "m/1/onnx/model.onnx"));
        WriteVersion("m/2");
        File.WriteAllBytes(Path.Combine(_root.Path, "m/2/preprocessor_config.json"), []);
        WriteVersion("m/3");
        File.WriteAllText(Path.Combine(_root.Path, "m/3/config.json"), "{\"id2label\": {\"0\": ");
        WriteVersion("m/4");

        var versions = RepositoryScanner.Scan(_root.Path).Models.Single().Versions;

        Assert.Equal("incomplete: no onnx/model.onnx", versions[1].Problem);
        Assert.Equal("incomplete: preprocessor_config.json is empty", versions[2].Problem);
        Assert.StartsWith("incomplete: config.json is not valid JSON", versions[3].Problem);
        Assert.True(versions[4].Complete);
    }

    [Fact]
    public void A_rewritten_file_changes_the_fingerprint_and_an_unchanged_one_does_not()
    {
        WriteVersion("m/1");
        var before = RepositoryScanner.ScanVersion(Path.Combine(_root.Path, "m/1"), 1);
        Assert.Equal(before, RepositoryScanner.ScanVersion(Path.Combine(_root.Path, "m/1"), 1));

        var onnx = Path.Combine(_root.Path, "m/1/onnx/model.onnx");
        File.WriteAllBytes(onnx, [.. File.ReadAllBytes(onnx), 0]);

        Assert.NotEqual(before.Fingerprint, RepositoryScanner.ScanVersion(Path.Combine(_root.Path, "m/1"), 1).Fingerprint);
    }

    [Fact]
    public void A_model_config_file_is_read_and_an_unusable_one_reported()
    {
        WriteVersion("good/1");
        File.WriteAllText(Path.Combine(_root.Path, "good", RepositoryScanner.ModelConfigFile), "{\"version_policy\": {\"all\": {}}}");
        WriteVersion("bad/1");
        File.WriteAllText(Path.Combine(_root.Path, "bad", RepositoryScanner.ModelConfigFile), "{\"version_policy\": {\"most\": {}}}");

        var models = RepositoryScanner.Scan(_root.Path).Models.ToDictionary(m => m.Name);

        Assert.Equal("all", models["good"].Config!.Policy.ToString());
        Assert.Null(models["bad"].Config);
        Assert.StartsWith("bad/model_config.json: 'version_policy' must be one of", models["bad"].ConfigProblem);
    }

    [Fact]
    public void Models_reached_through_symlinks_are_read_through_them()
    {
        WriteVersion("..2026_01_01.1/m/1");
        Directory.CreateSymbolicLink(Path.Combine(_root.Path, "..data"), "..2026_01_01.1");
        Directory.CreateSymbolicLink(Path.Combine(_root.Path, "m"), "..data/m");

        var model = Assert.Single(RepositoryScanner.Scan(_root.Path).Models);

        Assert.Equal("m", model.Name);
        Assert.True(model.Versions[1].Complete);
    }

    /// <summary>A model directory's three files; the ONNX file need not be a real model for the scanner.</summary>
    private void WriteVersion(string relative)
    {
        var directory = Path.Combine(_root.Path, relative);
        ModelDirectoryWriter.Write(directory, MobileViTVariant.Xxs, [1, 2, 3]);
    }
}
