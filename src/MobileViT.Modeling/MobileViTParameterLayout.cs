namespace MobileViT.Modeling;

/// <summary>What a parameter is, derived from its Hugging Face name; decides how seeded weights are drawn.</summary>
internal enum ParameterKind
{
    ConvWeight,
    LinearWeight,
    LinearBias,
    BatchNormScale,
    BatchNormShift,
    BatchNormRunningMean,
    BatchNormRunningVar,
    LayerNormScale,
    LayerNormShift,
}

/// <summary>One named parameter tensor of <c>MobileViTForImageClassification</c>.</summary>
internal sealed record ParameterSpec(string Name, int[] Shape)
{
    public ParameterKind Kind { get; } = KindOf(Name);

    public long ElementCount => Shape.Aggregate(1L, (n, d) => n * d);

    /// <summary>BatchNorm running statistics are buffers, not parameters, in PyTorch.</summary>
    public bool IsBuffer => Kind is ParameterKind.BatchNormRunningMean or ParameterKind.BatchNormRunningVar;

    private static ParameterKind KindOf(string name)
    {
        if (name.EndsWith(".running_mean", StringComparison.Ordinal)) return ParameterKind.BatchNormRunningMean;
        if (name.EndsWith(".running_var", StringComparison.Ordinal)) return ParameterKind.BatchNormRunningVar;
        if (name.EndsWith(".normalization.weight", StringComparison.Ordinal)) return ParameterKind.BatchNormScale;
        if (name.EndsWith(".normalization.bias", StringComparison.Ordinal)) return ParameterKind.BatchNormShift;
        if (name.EndsWith(".convolution.weight", StringComparison.Ordinal)) return ParameterKind.ConvWeight;
        var isLayerNorm = name.Contains("layernorm", StringComparison.Ordinal);
        if (name.EndsWith(".weight", StringComparison.Ordinal)) return isLayerNorm ? ParameterKind.LayerNormScale : ParameterKind.LinearWeight;
        if (name.EndsWith(".bias", StringComparison.Ordinal)) return isLayerNorm ? ParameterKind.LayerNormShift : ParameterKind.LinearBias;
        throw new ArgumentException($"Unrecognised parameter name '{name}'.");
    }
}

/// <summary>
/// The parameter names and shapes of a variant, in the order the network emitter consumes them. Derived by running the
/// emitter against a recording source, so the layout and the graph cannot disagree.
/// </summary>
internal static class MobileViTParameterLayout
{
    public static IReadOnlyList<ParameterSpec> For(MobileViTArchitecture architecture)
    {
        var recorder = new RecordingParameterSource();
        MobileViTOnnxEmitter.Emit(architecture, recorder, MobileViTGraphFeatures.None);
        return recorder.Specs;
    }

    /// <summary>PyTorch's <c>sum(p.numel() for p in model.parameters())</c>: every tensor except BatchNorm running statistics.</summary>
    public static long CountParameters(IEnumerable<ParameterSpec> layout) => layout.Where(p => !p.IsBuffer).Sum(p => p.ElementCount);
}
