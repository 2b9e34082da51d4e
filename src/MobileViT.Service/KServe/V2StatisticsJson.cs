using System.Text.Json.Serialization;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Service.KServe;

/// <summary>Triton's statistics extension response, rendered from the core's <see cref="ModelStatistics"/>.</summary>
internal sealed record V2StatisticsJson([property: JsonPropertyName("model_stats")] IReadOnlyList<V2ModelStatJson> ModelStats);

internal sealed record V2DurationJson([property: JsonPropertyName("count")] long Count, [property: JsonPropertyName("ns")] long Ns)
{
    public static V2DurationJson Of(DurationStat stat) => new(stat.Count, stat.Nanoseconds);

    public static V2DurationJson None { get; } = new(0, 0);
}

internal sealed record V2InferenceStatsJson(
    [property: JsonPropertyName("success")] V2DurationJson Success,
    [property: JsonPropertyName("fail")] V2DurationJson Fail,
    [property: JsonPropertyName("queue")] V2DurationJson Queue,
    [property: JsonPropertyName("compute_input")] V2DurationJson ComputeInput,
    [property: JsonPropertyName("compute_infer")] V2DurationJson ComputeInfer,
    [property: JsonPropertyName("compute_output")] V2DurationJson ComputeOutput,
    [property: JsonPropertyName("cache_hit")] V2DurationJson CacheHit,
    [property: JsonPropertyName("cache_miss")] V2DurationJson CacheMiss);

/// <summary>
/// One batch size. Only the session run is measured per batch (<c>compute_infer</c>); preprocessing and output are
/// measured per image and per request, so they appear in <c>inference_stats</c> only and are zero here.
/// </summary>
internal sealed record V2BatchStatJson(
    [property: JsonPropertyName("batch_size")] int BatchSize,
    [property: JsonPropertyName("compute_input")] V2DurationJson ComputeInput,
    [property: JsonPropertyName("compute_infer")] V2DurationJson ComputeInfer,
    [property: JsonPropertyName("compute_output")] V2DurationJson ComputeOutput);

internal sealed record V2ModelStatJson(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("last_inference")] long LastInference,
    [property: JsonPropertyName("inference_count")] long InferenceCount,
    [property: JsonPropertyName("execution_count")] long ExecutionCount,
    [property: JsonPropertyName("inference_stats")] V2InferenceStatsJson InferenceStats,
    [property: JsonPropertyName("batch_stats")] IReadOnlyList<V2BatchStatJson> BatchStats)
{
    public static V2ModelStatJson Of(string model, string version, ModelStatisticsSnapshot s) => new(model, version,
        s.LastInference?.ToUnixTimeMilliseconds() ?? 0, s.InferenceCount, s.ExecutionCount,
        new V2InferenceStatsJson(V2DurationJson.Of(s.Success), V2DurationJson.Of(s.Fail), V2DurationJson.Of(s.Queue), V2DurationJson.Of(s.ComputeInput),
            V2DurationJson.Of(s.ComputeInfer), V2DurationJson.Of(s.ComputeOutput), V2DurationJson.None, V2DurationJson.None),
        s.Batches.Select(b => new V2BatchStatJson(b.BatchSize, V2DurationJson.None, V2DurationJson.Of(b.Infer), V2DurationJson.None)).ToList());
}
