namespace MobileViT.Modeling;

/// <summary>
/// Graph transformations the builder can apply; each keeps the network's function (logits within float rounding) and is
/// switchable on its own so that it can be measured alone. <see cref="None"/> is the graph as first written: HF's
/// structure op for op, BatchNorm and the attention scale folded.
/// </summary>
[Flags]
public enum MobileViTGraphFeatures
{
    None = 0,

    /// <summary>
    /// The transformer works on a 2-D token matrix [tokens, channels]: every nn.Linear is one Gemm with its bias
    /// (no separate Add), and LayerNormalization normalises rows.
    /// </summary>
    TokenGemm = 1 << 0,

    /// <summary>
    /// Tokens stay in the feature map's own order (NHWC): unfolding and folding become single-axis transposes, and the
    /// patch grouping that attention needs is done by the head split's transpose, which moves whole head vectors.
    /// Needs <see cref="TokenGemm"/>.
    /// </summary>
    NaturalTokenOrder = 1 << 1,

    /// <summary>
    /// The 1x1 convolutions on either side of the transformer (conv_1x1, conv_projection) run as Gemms on the tokens,
    /// so the layout changes move the block's channels rather than the wider transformer width. Needs <see cref="TokenGemm"/>.
    /// </summary>
    ProjectionsOnTokens = 1 << 2,

    /// <summary>
    /// Attention as ONNX Runtime's fused CPU kernel <c>com.microsoft.Attention</c> (QKV projection, heads, softmax and
    /// context in one operator). Not standard ONNX: only for ONNX Runtime sessions. Needs <see cref="TokenGemm"/> and
    /// excludes <see cref="NaturalTokenOrder"/> (the kernel wants tokens grouped by patch pixel).
    /// </summary>
    OrtFusedAttention = 1 << 3,
}

public static class MobileViTGraphFeatureSets
{
    /// <summary>What a model directory gets by default: standard ONNX (opset 17) that any runtime loads.</summary>
    public const MobileViTGraphFeatures Portable =
        MobileViTGraphFeatures.TokenGemm | MobileViTGraphFeatures.NaturalTokenOrder | MobileViTGraphFeatures.ProjectionsOnTokens;

    /// <summary>What the service builds for its own ONNX Runtime sessions.</summary>
    public const MobileViTGraphFeatures OnnxRuntime =
        MobileViTGraphFeatures.TokenGemm | MobileViTGraphFeatures.ProjectionsOnTokens | MobileViTGraphFeatures.OrtFusedAttention;

    /// <summary>Whether the graph uses operators outside the standard ONNX domain.</summary>
    public static bool NeedsOnnxRuntime(this MobileViTGraphFeatures features) => features.HasFlag(MobileViTGraphFeatures.OrtFusedAttention);

    public static void Validate(MobileViTGraphFeatures features)
    {
        var tokens = features.HasFlag(MobileViTGraphFeatures.TokenGemm);
        if (!tokens && features != MobileViTGraphFeatures.None)
            throw new ArgumentException($"Graph features {features} need {MobileViTGraphFeatures.TokenGemm}.", nameof(features));
        if (features.HasFlag(MobileViTGraphFeatures.OrtFusedAttention) && features.HasFlag(MobileViTGraphFeatures.NaturalTokenOrder))
            throw new ArgumentException($"{MobileViTGraphFeatures.OrtFusedAttention} needs tokens grouped by patch pixel, not {MobileViTGraphFeatures.NaturalTokenOrder}.", nameof(features));
    }

    /// <summary>Parses a comma-separated list of feature names (case-insensitive), or <c>none</c>, <c>portable</c>, <c>onnxruntime</c>.</summary>
    public static MobileViTGraphFeatures Parse(string text)
    {
        var result = MobileViTGraphFeatures.None;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            result |= part.ToLowerInvariant() switch
            {
                "none" => MobileViTGraphFeatures.None,
                "portable" => Portable,
                "onnxruntime" => OnnxRuntime,
                _ => Enum.TryParse<MobileViTGraphFeatures>(part, ignoreCase: true, out var feature) && Enum.IsDefined(feature)
                    ? feature
                    : throw new FormatException(
                        $"Unknown graph feature '{part}' (known: none, portable, onnxruntime, {string.Join(", ", Enum.GetNames<MobileViTGraphFeatures>().Skip(1))})."),
            };
        }
        Validate(result);
        return result;
    }
}
