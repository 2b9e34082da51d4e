using System.Text.Json;
using MobileViT.Cli;
using MobileViT.Modeling;

namespace MobileViT.Cli.Tests;

public sealed class BuildModelCommandTests : IDisposable
{
    private readonly TemporaryDirectory temporary = new();

    private string directory => temporary.Path;

    public void Dispose() => temporary.Dispose();

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = CliApp.Run(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public void BuildModel_WithSeed_WritesModelDirectory()
    {
        var (exitCode, output, error) = Run("build-model", "--variant", "xxs", "--seed", "5", "--out", directory);

        Assert.True(exitCode == 0, error);
        foreach (var file in new[] { "config.json", "preprocessor_config.json", Path.Combine("onnx", "model.onnx") })
        {
            Assert.True(File.Exists(Path.Combine(directory, file)), file);
            Assert.Contains(Path.Combine(directory, file), output);
        }
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "config.json")));
        Assert.Equal(1000, config.RootElement.GetProperty("id2label").EnumerateObject().Count());
        Assert.Equal(MobileViTModelFactory.BuildSeeded(MobileViTVariant.Xxs, 5), File.ReadAllBytes(Path.Combine(directory, "onnx", "model.onnx")));
    }

    [Fact]
    public void BuildModel_WithSharedSafetensors_WritesTheImportedModel()
    {
        var weights = Path.Combine(SharedFixtures.MobileViTXxsSeed7, "model.safetensors");
        var (exitCode, _, error) = Run("build-model", "--variant=xxs", "--weights", weights, "--out", directory);

        Assert.True(exitCode == 0, error);
        Assert.Equal(MobileViTModelFactory.BuildFromSafetensors(MobileViTVariant.Xxs, weights),
            File.ReadAllBytes(Path.Combine(directory, "onnx", "model.onnx")));
    }

    [Theory]
    [InlineData("build-model", "--variant", "xxs", "--out", "x")]                                 // neither seed nor weights
    [InlineData("build-model", "--variant", "xxs", "--seed", "1", "--weights", "w", "--out", "x")] // both
    [InlineData("build-model", "--variant", "m", "--seed", "1", "--out", "x")]                    // unknown variant
    [InlineData("build-model", "--variant", "xxs", "--seed", "one", "--out", "x")]                // bad seed
    [InlineData("build-model", "--variant", "xxs", "--seed", "1")]                                // no --out
    [InlineData("build-model", "--variant", "xxs", "--seed", "1", "--out", "x", "--colour", "red")] // unknown option
    [InlineData("build-model", "--variant", "xxs", "--weights", "/nonexistent.safetensors", "--out", "x")]
    [InlineData("build-model", "--variant")]                                                       // missing value
    [InlineData("no-such-command")]
    [InlineData]
    public void InvalidCommandLines_ExitWithUsageError(params string[] args)
    {
        var (exitCode, output, error) = Run(args);

        Assert.Equal(2, exitCode);
        Assert.Contains("usage: mobilevit", error);
        Assert.Equal("", output);
        Assert.False(Directory.Exists("x"));
    }

    [Fact]
    public void Help_ListsBuildModel()
    {
        var (exitCode, output, _) = Run("--help");
        Assert.Equal(0, exitCode);
        Assert.Contains("build-model", output);
    }
}
