namespace MobileViT.Inference.Modeling;

/// <summary>Builds the MobileViT classification network as a serialized ONNX model (opset 17).</summary>
public static class MobileViTModelFactory
{
    /// <summary>Seed used by <c>synthetic:*</c> model sources.</summary>
    public const int SyntheticSeed = 0;

    /// <summary>Deterministic seeded-random weights: same variant and seed give byte-identical output.</summary>
    public static byte[] BuildSeeded(MobileViTVariant variant, int seed) => throw new NotImplementedException();

    /// <summary>Weights from a safetensors file with Hugging Face MobileViTForImageClassification names.</summary>
    public static byte[] BuildFromSafetensors(MobileViTVariant variant, string safetensorsPath) => throw new NotImplementedException();
}
