using MobileViT.Modeling;

namespace MobileViT.Inference.Sources;

/// <summary>The graph features of the models the service builds for its own ONNX Runtime sessions (synthetic and from hub weights).</summary>
internal static class ServedGraph
{
    public const MobileViTGraphFeatures Features = MobileViTGraphFeatureSets.Portable;
}
