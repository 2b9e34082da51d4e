using MobileViT.Inference.Telemetry;

namespace MobileViT.Service.Http;

/// <summary>
/// <c>GET /v1/stats</c>: live per-model figures for the web page, from the same instruments as <c>/metrics</c>.
/// Rates are over the last <see cref="RateWindowSeconds"/> seconds, batch size and latency over the last minute.
/// </summary>
internal sealed record StatsResponse(DateTimeOffset Time, int RateWindowSeconds, IReadOnlyList<ModelStats> Models);

/// <summary>
/// One model's state and traffic; <c>instances</c>, <c>preprocessing</c> and the provider fields are null until the
/// model has loaded. <c>version</c> is the default version, <c>versions</c> every version with its state, and
/// <c>shadow</c> how the shadow version agrees with the default (null without one).
/// </summary>
internal sealed record ModelStats(
    string Name,
    string State,
    bool? Synthetic,
    string? ExecutionProvider,
    IReadOnlyList<InstanceStats>? Instances,
    PreprocessingStats? Preprocessing,
    ModelLiveStats Traffic,
    int? Version,
    IReadOnlyList<ModelInfo.VersionInfo> Versions,
    ModelInfo.ShadowInfo? Shadow);

internal sealed record InstanceStats(int Id, string ExecutionProvider);

/// <summary>Where images are preprocessed (<c>worker</c> or <c>request</c> threads) and what is done to them.</summary>
internal sealed record PreprocessingStats(string Placement, int? ShortestEdge, int CropWidth, int CropHeight, string ChannelOrder);
