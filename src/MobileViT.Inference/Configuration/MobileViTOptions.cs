namespace MobileViT.Inference.Configuration;

/// <summary>The <c>MobileViT</c> configuration section.</summary>
public sealed class MobileViTOptions
{
    public const string SectionName = "MobileViT";

    /// <summary>Models served side by side; the first is the default unless <see cref="DefaultModel"/> names another.</summary>
    public List<ModelOptions> Models { get; set; } = [];

    public string? DefaultModel { get; set; }

    public BatchingOptions Batching { get; set; } = new();

    public ExecutionOptions Execution { get; set; } = new();

    public ImageLimitsOptions Limits { get; set; } = new();

    public PreprocessingOptions Preprocessing { get; set; } = new();

    public HuggingFaceOptions HuggingFace { get; set; } = new();

    /// <summary>A model repository of versioned models, beside or instead of <see cref="Models"/>.</summary>
    public Models.Repository.RepositoryOptions Repository { get; set; } = new();

    /// <summary>
    /// When an <c>hf:</c> model cannot be fetched, serve <c>synthetic:s</c> instead (loudly) rather than failing start-up.
    /// Unset means: on in Development, off otherwise.
    /// </summary>
    public bool? FallbackToSynthetic { get; set; }

    /// <summary>The default model's name: <see cref="DefaultModel"/>, else the first configured model; null when neither (repository models only).</summary>
    public string? ResolveDefaultModelName() =>
        string.IsNullOrWhiteSpace(DefaultModel) ? Models.FirstOrDefault()?.Name : DefaultModel;
}
