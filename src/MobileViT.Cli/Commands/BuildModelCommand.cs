using System.Diagnostics;
using MobileViT.Modeling;

namespace MobileViT.Cli.Commands;

/// <summary>
/// <c>build-model --variant {xxs|xs|s} (--seed N | --weights FILE.safetensors) --out DIR</c>: builds the MobileViT ONNX
/// graph and writes a Hugging Face style model directory (config.json, preprocessor_config.json, onnx/model.onnx).
/// </summary>
public sealed class BuildModelCommand : ICliCommand
{
    public string Name => "build-model";

    public string Summary => "Build a MobileViT ONNX model directory (seeded or safetensors weights).";

    public string Usage =>
        """
        usage: mobilevit build-model --variant {xxs|xs|s} (--seed N | --weights FILE.safetensors) --out DIR

          --variant   MobileViT size: xxs, xs or s
          --seed      build with deterministic seeded-random weights
          --weights   build from a safetensors file with Hugging Face MobileViTForImageClassification names
          --out       model directory to write (created if missing; existing files are replaced)
        """;

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var options = CommandLineOptions.Parse(args, "variant", "seed", "weights", "out");
        var variantText = options.Required("variant");
        if (!MobileViTVariants.TryParse(variantText, out var variant))
            throw new UsageException($"unknown variant '{variantText}' (expected xxs, xs or s).");
        var outDir = options.Required("out");
        var seed = options.GetInt("seed");
        var weights = options.Get("weights");
        if (seed is null == weights is null)
            throw new UsageException("give exactly one of --seed N or --weights FILE.safetensors.");
        if (weights is not null && !File.Exists(weights))
            throw new UsageException($"weights file '{weights}' does not exist.");

        var stopwatch = Stopwatch.StartNew();
        var model = weights is not null
            ? MobileViTModelFactory.BuildFromSafetensors(variant, weights)
            : MobileViTModelFactory.BuildSeeded(variant, seed!.Value);
        ModelDirectoryWriter.Write(outDir, variant, model);

        var root = Path.GetFullPath(outDir);
        output.WriteLine($"Built MobileViT-{variant.ToName()} from {(weights is not null ? "weights " + weights : $"seed {seed}")} in {stopwatch.ElapsedMilliseconds} ms:");
        output.WriteLine($"  {Path.Combine(root, ModelDirectoryWriter.ConfigFileName)}");
        output.WriteLine($"  {Path.Combine(root, ModelDirectoryWriter.PreprocessorConfigFileName)}");
        output.WriteLine($"  {Path.Combine(root, ModelDirectoryWriter.OnnxModelRelativePath)} ({model.Length:N0} bytes)");
        return CliApp.ExitSuccess;
    }
}
