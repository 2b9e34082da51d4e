namespace MobileViT.Inference.Sources;

/// <summary>The weight files of a Hugging Face MobileViT repository the service builds its graph from, in order of preference.</summary>
internal static class HuggingFaceWeightFiles
{
    public const string Safetensors = "model.safetensors";

    /// <summary>PyTorch's zip checkpoint, read by a restricted reader that accepts tensor records only.</summary>
    public const string PyTorch = "pytorch_model.bin";

    public static IReadOnlyList<string> InPreferenceOrder { get; } = [Safetensors, PyTorch];
}
