using MobileViT.Inference.Preprocessing;

namespace MobileViT.Inference.Sources;

/// <summary>Everything needed to serve one model, independent of where it came from.</summary>
public sealed record ModelArtifacts(
    byte[] OnnxModel,
    IReadOnlyList<string> Labels,
    PreprocessorConfig Preprocessor,
    bool Synthetic,
    string Origin);
