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
