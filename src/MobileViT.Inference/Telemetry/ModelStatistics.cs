using System.Collections.Concurrent;

namespace MobileViT.Inference.Telemetry;

/// <summary>
/// Cumulative per-model statistics since the service started, what Triton's statistics extension reports. They are
/// recorded by explicit calls where the work happens, as Triton's scheduler calls <c>UpdateInferBatchStats</c>: the
/// request scope records each request's outcome and duration, the batcher each image's queue wait and preprocessing and
/// each batch's size with its session-run time, and output shaping its time.
/// </summary>
public sealed class ModelStatistics
{
    private readonly ConcurrentDictionary<string, ModelStatisticsRecorder> _models = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<(string Model, int Version), ModelStatisticsRecorder> _versions = new();

    /// <summary>The recorder of one model, created on first use.</summary>
    internal ModelStatisticsRecorder For(string model) => _models.GetOrAdd(model, _ => new ModelStatisticsRecorder());

    /// <summary>The recorder of one version of a model, created on first use; what it records is added to the model's too.</summary>
    internal ModelStatisticsRecorder For(string model, int version) =>
        _versions.GetOrAdd((model.ToLowerInvariant(), version), _ => new ModelStatisticsRecorder(For(model)));

    /// <summary>The totals of one model (zeros when it has seen no traffic).</summary>
    public ModelStatisticsSnapshot Snapshot(string model) => For(model).Snapshot();

    /// <summary>The totals of one version of a model: what ran on it (zeros when nothing has).</summary>
    public ModelStatisticsSnapshot Snapshot(string model, int version) => For(model, version).Snapshot();
}
