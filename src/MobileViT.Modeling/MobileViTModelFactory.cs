using MobileViT.Modeling.Onnx;

namespace MobileViT.Modeling;

/// <summary>Builds the MobileViT classification network as a serialized ONNX model (opset 17).</summary>
public static class MobileViTModelFactory
{
    /// <summary>Seed used by <c>synthetic:*</c> model sources.</summary>
    public const int SyntheticSeed = 0;

    public const int OpsetVersion = 17;
    public const int IrVersion = 8;

    /// <summary>Deterministic seeded-random weights: same variant and seed give byte-identical output.</summary>
    public static byte[] BuildSeeded(MobileViTVariant variant, int seed, MobileViTGraphFeatures features = MobileViTGraphFeatureSets.Portable)
    {
        var architecture = MobileViTArchitecture.For(variant);
        return Build(architecture, SeededWeightGenerator.Generate(architecture, seed), $"seeded random weights (seed {seed})", features);
    }

    /// <summary>Writes the seeded weights <see cref="BuildSeeded"/> uses as a safetensors file (HF names, BatchNorm statistics included).</summary>
    public static void WriteSeededWeights(MobileViTVariant variant, int seed, string safetensorsPath) =>
        SafetensorsWriter.Write(safetensorsPath, SeededWeightGenerator.Generate(MobileViTArchitecture.For(variant), seed));

    /// <summary>Weights from a safetensors file with Hugging Face MobileViTForImageClassification names.</summary>
    public static byte[] BuildFromSafetensors(MobileViTVariant variant, string safetensorsPath, MobileViTGraphFeatures features = MobileViTGraphFeatureSets.Portable)
    {
        var architecture = MobileViTArchitecture.For(variant);
        return Build(architecture, SafetensorsReader.ReadAll(safetensorsPath), "weights from " + Path.GetFileName(safetensorsPath), features);
    }

    /// <summary>
    /// Weights from a Hugging Face weights file, <c>*.safetensors</c> or a PyTorch zip checkpoint
    /// (<c>pytorch_model.bin</c>, read by a restricted reader that accepts tensors only); the variant is the one whose
    /// parameter layout the weights match.
    /// </summary>
    public static (MobileViTVariant Variant, byte[] OnnxModel) BuildFromWeightsFile(string weightsPath, MobileViTGraphFeatures features = MobileViTGraphFeatureSets.Portable)
    {
        var weights = weightsPath.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
            ? SafetensorsReader.ReadAll(weightsPath)
            : PyTorchCheckpointReader.ReadAll(weightsPath);
        var architecture = DetectArchitecture(weights, weightsPath);
        return (architecture.Variant, Build(architecture, weights, "weights from " + Path.GetFileName(weightsPath), features));
    }

    /// <summary>The variant whose every parameter the weights hold with the right shape (extra tensors are ignored).</summary>
    internal static MobileViTArchitecture DetectArchitecture(IReadOnlyDictionary<string, FloatTensor> weights, string whereForErrors)
    {
        foreach (var variant in Enum.GetValues<MobileViTVariant>())
        {
            var architecture = MobileViTArchitecture.For(variant);
            if (MobileViTParameterLayout.For(architecture).All(p => weights.TryGetValue(p.Name, out var t) && t.Shape.SequenceEqual(p.Shape)))
                return architecture;
        }
        var hint = weights.TryGetValue("classifier.weight", out var classifier) ? $" (classifier.weight is {FloatTensor.FormatShape(classifier.Shape)})" : "";
        throw new InvalidDataException(
            $"{whereForErrors}: the weights are not MobileViT-XXS, -XS or -S for 1000 ImageNet classes with Hugging Face names{hint}.");
    }

    /// <summary>The single import path: HF-named tensors to the emitted graph.</summary>
    internal static byte[] Build(MobileViTArchitecture architecture, IReadOnlyDictionary<string, FloatTensor> weights, string weightsDescription,
        MobileViTGraphFeatures features = MobileViTGraphFeatureSets.Portable) =>
        Emit(architecture, weights, features).ToModelBytes(
            IrVersion, OpsetVersion, "MobileViT.Inference", "1.0",
            $"MobileViT-{architecture.Variant.ToName().ToUpperInvariant()} image classifier, {weightsDescription}.");

    internal static OnnxGraphBuilder Emit(MobileViTArchitecture architecture, IReadOnlyDictionary<string, FloatTensor> weights,
        MobileViTGraphFeatures features = MobileViTGraphFeatureSets.Portable) =>
        MobileViTOnnxEmitter.Emit(architecture, new DictionaryParameterSource(weights), features);
}
