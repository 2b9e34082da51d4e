using MobileViT.Inference.Configuration;

namespace MobileViT.Inference.Models;

/// <summary>
/// A configured model and where it stands, as the core knows it; each protocol turns it into its own wire type (REST
/// <c>/v1/models</c>, gRPC <c>ListModels</c>, V2 metadata and configuration). What is known only once the model is
/// loaded (<see cref="Loaded"/>) is null before.
/// </summary>
public sealed record ModelDescription
{
    public required string Name { get; init; }
    public required string Source { get; init; }
    public required bool Default { get; init; }
    public required ModelState State { get; init; }

    /// <summary>Why it failed to load; null unless <see cref="ModelState.Failed"/>.</summary>
    public string? Error { get; init; }

    /// <summary>The batching settings: the largest batch is the model's own once loaded, the configured one before.</summary>
    public required BatchingSettings Batching { get; init; }

    public LoadedFacts? Loaded { get; init; }

    public bool Ready => State == ModelState.Ready;

    /// <summary>The version that answers requests naming none; null while none is ready.</summary>
    public int? Version { get; init; }

    /// <summary>Where the model comes from: <c>configured</c> (<c>MobileViT:Models</c>) or <c>repository</c>.</summary>
    public string Origin { get; init; } = Configured;

    public const string Configured = "configured";
    public const string FromRepository = "repository";

    /// <summary>Which versions are loaded, e.g. <c>latest 1</c>.</summary>
    public string VersionPolicy { get; init; } = MobileViT.Inference.Models.Versions.VersionPolicy.Default.ToString();

    /// <summary>Every version the model has: loaded ones with their state, and the repository's others with why they are not loaded.</summary>
    public IReadOnlyList<VersionDescription> Versions { get; init; } = [];

    /// <summary>How the shadow version answers the default's live requests; null when the model has no shadow.</summary>
    public Shadow.ShadowAgreementSnapshot? Shadow { get; init; }

    /// <summary>One version: its state, why it is in it (a failure, an incomplete directory, not selected), whether it is the default or the shadow.</summary>
    public sealed record VersionDescription(int Version, ModelState State, string? Reason, bool Default, bool Shadow, LoadedFacts? Loaded, long ImagesRun);

    public sealed record BatchingSettings(int? MaxBatchSize, int MaxQueueDelayMs, int QueueCapacity, int RequestTimeoutMs);

    /// <summary>What a loaded model is: where it came from, whether its weights are synthetic, its tensors, and how it runs.</summary>
    public sealed record LoadedFacts
    {
        public required string Origin { get; init; }
        public required bool Synthetic { get; init; }
        public required Runtime.ModelSignature Signature { get; init; }
        public required int LabelCount { get; init; }
        public required string ExecutionProvider { get; init; }
        public required int Instances { get; init; }
        public required int IntraOpThreads { get; init; }
        public required Preprocessing.PreprocessingMode PreprocessingMode { get; init; }
        public required PreprocessingPlacement PreprocessingPlacement { get; init; }
        public required Preprocessing.PreprocessorConfig Preprocessor { get; init; }
        public Tuning.TuningResult? Tuning { get; init; }
    }

    internal static ModelDescription Of(LiveModel model, bool isDefault, BatchingOptions batching, Shadow.ShadowAgreementSnapshot? shadow)
    {
        var entry = model.Representative;
        var served = entry.Served;
        return new ModelDescription
        {
            Name = model.Name,
            Source = model.Configured?.Source ?? entry.Options.Source,
            Default = isDefault,
            State = entry.State,
            Error = entry.Error,
            Batching = new BatchingSettings(served?.MaxBatchSize ?? batching.MaxBatchSize, batching.MaxQueueDelayMs, batching.QueueCapacity,
                batching.RequestTimeoutMs),
            Loaded = FactsOf(entry),
            Version = model.Route.Default?.Version,
            Origin = model.FromRepository ? FromRepository : Configured,
            VersionPolicy = model.Config.ToString(),
            Versions = model.DescribeVersions(FactsOf),
            Shadow = shadow,
        };
    }

    private static LoadedFacts? FactsOf(ModelEntry entry) => entry.Served is { } served ? FactsOf(served) : null;

    /// <summary>What one loaded version is.</summary>
    public static LoadedFacts FactsOf(ServedModel served) => new()
    {
        Origin = served.Artifacts.Origin,
        Synthetic = served.Synthetic,
        Signature = served.Signature,
        LabelCount = served.Labels.Count,
        ExecutionProvider = served.ExecutionProvider,
        Instances = served.Plan.Instances,
        IntraOpThreads = served.Plan.IntraOpThreads,
        PreprocessingMode = served.PreprocessingMode,
        PreprocessingPlacement = served.Preprocessing,
        Preprocessor = served.Preprocessor.Config,
        Tuning = served.Tuning,
    };
}
