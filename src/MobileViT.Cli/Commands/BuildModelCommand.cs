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
        usage: mobilevit build-model --variant {xxs|xs|s} (--seed N | --weights FILE.safetensors) --out DIR [--graph portable]
                                   [--save-weights FILE.safetensors]

          --variant   MobileViT size: xxs, xs or s
          --seed      build with deterministic seeded-random weights
          --weights   build from a safetensors file with Hugging Face MobileViTForImageClassification names
          --out       model directory to write (created if missing; existing files are replaced)
          --save-weights  with --seed: also write the seeded weights as safetensors (for other implementations)
          --graph     graph features, comma separated (default portable: standard ONNX, opset 17):
                        none                 the network as HF writes it, op for op (BatchNorm and attention scale folded)
                        portable             TokenGemm,NaturalTokenOrder,ProjectionsOnTokens
                        onnxruntime          TokenGemm,ProjectionsOnTokens,OrtFusedAttention (what the service builds
                                             for itself; com.microsoft operators: ONNX Runtime only)
                        TokenGemm            the transformer on a 2-D token matrix, each linear layer one Gemm
                        NaturalTokenOrder    tokens in the feature map's order; unfold/fold as single-axis transposes
                        ProjectionsOnTokens  the 1x1 convolutions around the transformer as Gemms on the tokens
                        OrtFusedAttention    attention as com.microsoft.Attention
        """;

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var options = CommandLineOptions.Parse(args, "variant", "seed", "weights", "out", "graph", "save-weights");
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

        MobileViTGraphFeatures features;
        try
        {
            features = MobileViTGraphFeatureSets.Parse(options.Get("graph") ?? "portable");
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new UsageException("--graph: " + e.Message);
        }

        var stopwatch = Stopwatch.StartNew();
        var model = weights is not null
            ? MobileViTModelFactory.BuildFromSafetensors(variant, weights, features)
            : MobileViTModelFactory.BuildSeeded(variant, seed!.Value, features);
        ModelDirectoryWriter.Write(outDir, variant, model);
        if (options.Get("save-weights") is { } saveWeights)
        {
            if (seed is null)
                throw new UsageException("--save-weights goes with --seed.");
            MobileViTModelFactory.WriteSeededWeights(variant, seed.Value, saveWeights);
        }

        var root = Path.GetFullPath(outDir);
        output.WriteLine($"Built MobileViT-{variant.ToName()} from {(weights is not null ? "weights " + weights : $"seed {seed}")} (graph: {features}) in {stopwatch.ElapsedMilliseconds} ms:");
        output.WriteLine($"  {Path.Combine(root, ModelDirectoryWriter.ConfigFileName)}");
        output.WriteLine($"  {Path.Combine(root, ModelDirectoryWriter.PreprocessorConfigFileName)}");
        output.WriteLine($"  {Path.Combine(root, ModelDirectoryWriter.OnnxModelRelativePath)} ({model.Length:N0} bytes)");
        return CliApp.ExitSuccess;
    }
}
