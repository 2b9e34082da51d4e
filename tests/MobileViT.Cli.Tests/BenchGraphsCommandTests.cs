using MobileViT.Modeling;

namespace MobileViT.Cli.Tests;

/// <summary>The graph comparison against ../shared's PyTorch export of the same weights.</summary>
public sealed class BenchGraphsCommandTests : IDisposable
{
    private readonly TemporaryDirectory _temporary = new();

    public void Dispose() => _temporary.Dispose();

    [Fact]
    public void Comparing_the_built_graph_with_the_shared_PyTorch_export_prints_round_ratios_and_medians()
    {
        var fixture = SharedFixtures.MobileViTXxsSeed7;
        ModelDirectoryWriter.Write(_temporary.Path, MobileViTVariant.Xxs,
            MobileViTModelFactory.BuildFromSafetensors(MobileViTVariant.Xxs, Path.Combine(fixture, "model.safetensors")));
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = CliApp.Run(["bench-graphs", "--built", _temporary.Path, "--reference", Path.Combine(fixture, "onnx", "model.onnx"),
            "--rounds", "2", "--runs", "1"], output, error);

        Assert.True(exit == CliApp.ExitSuccess, $"exit {exit}\n{output}\n{error}");
        Assert.Contains("threads 1 batch 1 round 2:", output.ToString());
        Assert.Contains("threads 1 batch 2: median ratio", output.ToString());
    }

    [Fact]
    public void A_missing_graph_is_a_usage_error()
    {
        var exit = CliApp.Run(["bench-graphs", "--built", _temporary.Path, "--reference", _temporary.Path], TextWriter.Null, TextWriter.Null);

        Assert.Equal(CliApp.ExitUsage, exit);
    }
}
