namespace MobileViT.Inference.Models;

/// <summary>
/// A configured model and where it stands, as every protocol reports it (REST <c>/v1/models</c>, gRPC
/// <c>ListModels</c>, V2 metadata). Fields known only once the model is loaded are null before.
/// </summary>
public sealed record ModelDescription(
    string Name,
    string Source,
    string? Origin,
    bool? Synthetic,
    bool Default,
    bool Ready,
    string State,
    ModelDescription.InputShape? InputSize,
    int? LabelCount,
    string? ExecutionProvider,
    int? Instances,
    int? IntraOpThreads,
    ModelDescription.BatchingSettings Batching,
    string? Error,
    ModelDescription.TensorNames? Tensors = null,
    ModelDescription.PreprocessingSettings? Preprocessing = null,
    ModelDescription.TuningSummary? Tuning = null)
{
    public sealed record InputShape(int Channels, int Height, int Width);

    /// <summary>The ONNX graph's input (preprocessed pixels) and output (logits) names.</summary>
    public sealed record TensorNames(string Input, string Output);

    /// <summary>
    /// How images are preprocessed: <c>exact</c> (bit-identical to Hugging Face + Pillow) or <c>fast</c> (reduced-scale
    /// JPEG decode), and on which threads (<c>worker</c> or <c>request</c>).
    /// </summary>
    public sealed record PreprocessingSettings(string Mode, string Placement);

    /// <summary>The warm-up sweep behind the execution settings (<c>Execution:Tuning=auto</c>): the choice and every figure it was based on.</summary>
    public sealed record TuningSummary(TuningPoint Chosen, bool WithinLatencyBudget, double LatencyBudgetMs, double DurationSeconds,
        double TimeBudgetSeconds, int Skipped, IReadOnlyList<TuningPoint> Candidates)
    {
        public static TuningSummary Of(Tuning.TuningResult result)
        {
            var candidates = result.Measured.Select(m => new TuningPoint(m.Candidate.Instances, m.Candidate.IntraOpThreads, m.Candidate.MaxBatchSize,
                Math.Round(m.ImagesPerSecond, 1), double.IsNaN(m.LatencyP50Ms) ? null : Math.Round(m.LatencyP50Ms, 2))).ToList();
            var chosen = candidates.First(c => (c.Instances, c.IntraOpThreads, c.MaxBatchSize) == (result.Chosen.Instances, result.Chosen.IntraOpThreads, result.Chosen.MaxBatchSize));
            return new TuningSummary(chosen, result.WithinLatencyBudget, result.LatencyBudgetMs, Math.Round(result.Duration.TotalSeconds, 2),
                result.TimeBudget.TotalSeconds, result.Skipped, candidates);
        }
    }

    /// <summary>One measured setting: images per second with every instance busy and the median batch time (single-image latency at batch 1).</summary>
    public sealed record TuningPoint(int Instances, int IntraOpThreads, int MaxBatchSize, double ImagesPerSecond, double? LatencyP50Ms);

    public sealed record BatchingSettings(int? MaxBatchSize, int MaxQueueDelayMs, int QueueCapacity, int RequestTimeoutMs);
}
