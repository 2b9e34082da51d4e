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

    internal static ModelDescription Of(ModelEntry entry, bool isDefault, BatchingOptions batching)
    {
        var served = entry.Served;
        return new ModelDescription
        {
            Name = entry.Name,
            Source = entry.Options.Source,
            Default = isDefault,
            State = entry.State,
            Error = entry.Error,
            Batching = new BatchingSettings(served?.MaxBatchSize ?? batching.MaxBatchSize, batching.MaxQueueDelayMs, batching.QueueCapacity,
                batching.RequestTimeoutMs),
            Loaded = served is null ? null : new LoadedFacts
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
            },
        };
    }
}
