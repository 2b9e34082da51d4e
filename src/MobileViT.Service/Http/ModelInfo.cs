using MobileViT.Inference.Models;

namespace MobileViT.Service.Http;

/// <summary>
/// A model as <c>GET /v1/models</c> describes it (the REST wire contract): source, synthetic flag, input size, labels,
/// execution provider, batching and where it stands, those of its default version; then its versions and, when it has
/// one, how its shadow version agrees with the default. Fields known only once the model is loaded are omitted before.
/// </summary>
internal sealed record ModelInfo(
    string Name,
    string Source,
    string? Origin,
    bool? Synthetic,
    bool Default,
    bool Ready,
    string State,
    ModelInfo.InputShape? InputSize,
    int? LabelCount,
    string? ExecutionProvider,
    int? Instances,
    int? IntraOpThreads,
    ModelInfo.BatchingSettings Batching,
    string? Error,
    ModelInfo.TensorNames? Tensors,
    ModelInfo.PreprocessingSettings? Preprocessing,
    ModelInfo.TuningSummary? Tuning,
    int? Version,
    bool FromRepository,
    string VersionPolicy,
    IReadOnlyList<ModelInfo.VersionInfo> Versions,
    ModelInfo.ShadowInfo? Shadow)
{
    /// <summary>
    /// One version: its state (<c>loading</c>, <c>ready</c>, <c>draining</c>, <c>failed</c>, <c>unloaded</c>...), why
    /// (a load failure, an incomplete directory, not selected by the policy), whether it is the default or the shadow,
    /// where it was loaded from and the images it has run.
    /// </summary>
    public sealed record VersionInfo(int Version, string State, string? Reason, bool Default, bool Shadow, string? Origin, long ImagesRun);

    /// <summary>
    /// How the shadow version answers the default version's live requests: samples compared and dropped, top-1
    /// agreement, top-5 overlap, mean |delta logit| and the shadow's latency (null before the first comparison).
    /// </summary>
    public sealed record ShadowInfo(int Version, int ShadowVersion, double Sample, long Compared, long Dropped, long Failed, double? Top1Agreement,
        double? Top5Overlap, double? MeanAbsLogitDelta, double? LatencyP50Ms, double? LatencyP99Ms);

    public sealed record InputShape(int Channels, int Height, int Width);

    public sealed record BatchingSettings(int? MaxBatchSize, int MaxQueueDelayMs, int QueueCapacity, int RequestTimeoutMs);

    /// <summary>The ONNX graph's input (preprocessed pixels) and output (logits) names.</summary>
    public sealed record TensorNames(string Input, string Output);

    /// <summary>
    /// How images are preprocessed: <c>exact</c> (bit-identical to Hugging Face + Pillow) or <c>fast</c> (reduced-scale
    /// JPEG decode), on which threads (<c>worker</c> or <c>request</c>), the shortest edge resized to (none: no
    /// resize), the centre crop and the channel order the model takes.
    /// </summary>
    public sealed record PreprocessingSettings(string Mode, string Placement, int? ShortestEdge, int CropWidth, int CropHeight, string ChannelOrder);

    /// <summary>The warm-up sweep behind the execution settings (<c>Execution:Tuning=auto</c>): the choice and every figure it was based on.</summary>
    public sealed record TuningSummary(TuningPoint Chosen, bool WithinLatencyBudget, double LatencyBudgetMs, double DurationSeconds,
        double TimeBudgetSeconds, int Skipped, IReadOnlyList<TuningPoint> Candidates);

    /// <summary>One measured setting: images per second with every instance busy and the median batch time (single-image latency at batch 1).</summary>
    public sealed record TuningPoint(int Instances, int IntraOpThreads, int MaxBatchSize, double ImagesPerSecond, double? LatencyP50Ms);

    public static ModelInfo Of(ModelDescription model)
    {
        var loaded = model.Loaded;
        var signature = loaded?.Signature;
        return new ModelInfo(model.Name, model.Source, loaded?.Origin, loaded?.Synthetic, model.Default, model.Ready, model.State.Label(),
            signature is null ? null : new InputShape(signature.Channels, signature.Height, signature.Width),
            loaded?.LabelCount, loaded?.ExecutionProvider, loaded?.Instances, loaded?.IntraOpThreads,
            new BatchingSettings(model.Batching.MaxBatchSize, model.Batching.MaxQueueDelayMs, model.Batching.QueueCapacity, model.Batching.RequestTimeoutMs),
            model.Error,
            signature is null ? null : new TensorNames(signature.InputName, signature.OutputName),
            loaded is null ? null : PreprocessingOf(loaded),
            loaded?.Tuning is { } tuning ? TuningOf(tuning) : null,
            model.Version,
            model.Origin == ModelDescription.FromRepository,
            model.VersionPolicy,
            model.Versions.Select(v => new VersionInfo(v.Version, v.State.Label(), v.Reason, v.Default, v.Shadow, v.Loaded?.Origin, v.ImagesRun)).ToList(),
            model.Shadow is { } s
                ? new ShadowInfo(s.Version, s.ShadowVersion, s.Sample, s.Compared, s.Dropped, s.Failed, s.Top1Agreement, s.Top5Overlap, s.MeanAbsLogitDelta,
                    s.LatencyP50Ms, s.LatencyP99Ms)
                : null);
    }

    private static PreprocessingSettings PreprocessingOf(ModelDescription.LoadedFacts loaded)
    {
        var config = loaded.Preprocessor;
        return new PreprocessingSettings(loaded.PreprocessingMode.ToString().ToLowerInvariant(), loaded.PreprocessingPlacement.ToString().ToLowerInvariant(),
            config.DoResize ? config.ShortestEdge : null, config.CropWidth, config.CropHeight, config.DoFlipChannelOrder ? "BGR" : "RGB");
    }

    private static TuningSummary TuningOf(Inference.Tuning.TuningResult result)
    {
        var candidates = result.Measured.Select(m => new TuningPoint(m.Candidate.Instances, m.Candidate.IntraOpThreads, m.Candidate.MaxBatchSize,
            Math.Round(m.ImagesPerSecond, 1), double.IsNaN(m.LatencyP50Ms) ? null : Math.Round(m.LatencyP50Ms, 2))).ToList();
        var chosen = candidates.First(c => (c.Instances, c.IntraOpThreads, c.MaxBatchSize) == (result.Chosen.Instances, result.Chosen.IntraOpThreads, result.Chosen.MaxBatchSize));
        return new TuningSummary(chosen, result.WithinLatencyBudget, result.LatencyBudgetMs, Math.Round(result.Duration.TotalSeconds, 2),
            result.TimeBudget.TotalSeconds, result.Skipped, candidates);
    }
}
