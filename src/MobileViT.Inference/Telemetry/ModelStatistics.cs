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

    /// <summary>The recorder of one model, created on first use.</summary>
    internal ModelStatisticsRecorder For(string model) => _models.GetOrAdd(model, _ => new ModelStatisticsRecorder());

    /// <summary>The totals of one model (zeros when it has seen no traffic).</summary>
    public ModelStatisticsSnapshot Snapshot(string model) => For(model).Snapshot();
}
