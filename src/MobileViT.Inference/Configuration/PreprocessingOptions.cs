using MobileViT.Inference.Preprocessing;

namespace MobileViT.Inference.Configuration;

/// <summary><c>MobileViT:Preprocessing</c>: how images become model input.</summary>
public sealed class PreprocessingOptions
{
    /// <summary>
    /// <c>exact</c> (default): bit-identical to Hugging Face's pipeline. <c>fast</c>: JPEGs decoded at a reduced DCT scale
    /// (see <see cref="PreprocessingMode.Fast"/>). A model's <see cref="ModelOptions.PreprocessingMode"/> overrides it.
    /// </summary>
    public string Mode { get; set; } = "exact";

    /// <summary>The mode <paramref name="model"/> runs in: its own override, else <see cref="Mode"/>.</summary>
    public PreprocessingMode ResolveMode(ModelOptions model) =>
        Parse(string.IsNullOrWhiteSpace(model.PreprocessingMode) ? Mode : model.PreprocessingMode)
        ?? throw new FormatException($"Unknown preprocessing mode '{model.PreprocessingMode ?? Mode}' (known: exact, fast).");

    /// <summary><c>exact</c> or <c>fast</c>, any case; null for anything else.</summary>
    public static PreprocessingMode? Parse(string? value) =>
        Enum.TryParse<PreprocessingMode>(value?.Trim(), ignoreCase: true, out var mode) && Enum.IsDefined(mode)
            && !int.TryParse(value, out _)
            ? mode
            : null;
}
