using MobileViT.Cli;


namespace MobileViT.Cli.Tests;

/// <summary><c>mobilevit compare-preprocessing</c>: fast mode against exact mode, in pixels and in a model's logits.</summary>
public sealed class ComparePreprocessingCommandTests
{
    [Fact]
    public void Reports_the_scale_pixel_difference_and_logit_probe_per_jpeg()
    {
        var directory = Directory.CreateTempSubdirectory("compare-preprocessing-").FullName;
        File.Copy(Path.Combine(SharedFixtures.RepositoryRoot, "benchmarks", "images", "chelsea.jpg"), Path.Combine(directory, "chelsea.jpg"));
        var large = RgbImage.Create(1600, 1200, (x, y) => ((byte)(x * 7 % 256), (byte)(y * 5 % 256), (byte)((x ^ y) % 256)));
        File.WriteAllBytes(Path.Combine(directory, "large.jpg"), large.EncodeJpeg(90));
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = CliApp.Run(["compare-preprocessing", "--images", directory, "--model", SharedFixtures.MobileViTXxsSeed7], output, error);

        Assert.True(exit == CliApp.ExitSuccess, $"exit {exit}\n{output}\n{error}");
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var chelsea = lines.Single(l => l.StartsWith("chelsea.jpg", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["1/1", "0.000", "0.0", "0.0%", "0.0000", "same", "same"], chelsea[2..]);
        var scaled = lines.Single(l => l.StartsWith("large.jpg", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("1/2", scaled[2]);
        Assert.True(double.Parse(scaled[3], System.Globalization.CultureInfo.InvariantCulture) > 0, string.Join(' ', scaled));
        Directory.Delete(directory, recursive: true);
    }
}
