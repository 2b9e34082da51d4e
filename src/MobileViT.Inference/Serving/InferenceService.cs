using MobileViT.Inference.Configuration;
using MobileViT.Inference.Models;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Serving;

/// <summary>
/// The one entry point every protocol calls: <see cref="Begin"/> opens a request's scope, an <see cref="InferenceCall"/>,
/// which the adapter drives at the pace of its wire format (admit, then run) and disposes when the request ends.
/// Adapters only parse their wire format and translate the result or the <see cref="InferenceException"/> back.
/// </summary>
public sealed class InferenceService(ModelRegistry registry, MobileViTOptions options, InferenceMetrics metrics, ModelStatistics statistics,
    TimeProvider time, IEnumerable<IAdmissionRule>? rules = null, Models.Shadow.ShadowEvaluator? shadows = null)
{
    /// <summary>The model label of requests for a model that does not exist: a client must not be able to grow the metric's label set.</summary>
    public const string UnknownModelLabel = "(unknown)";

    internal ModelRegistry Registry => registry;
    internal MobileViTOptions Options => options;
    internal InferenceMetrics Metrics => metrics;
    internal ModelStatistics Statistics => statistics;
    internal TimeProvider Time => time;
    internal Models.Shadow.ShadowEvaluator? Shadows => shadows;
    internal IAdmissionRule[] CallerRules { get; } = (rules ?? []).Where(r => r.Stage == AdmissionStage.Caller).ToArray();
    internal IAdmissionRule[] ModelRules { get; } = (rules ?? []).Where(r => r.Stage == AdmissionStage.Model).ToArray();

    /// <summary>Opens the request's scope: its clock starts now. Dispose it when the request ends; that records its one outcome.</summary>
    public InferenceCall Begin(InferenceRequest request) => new(this, request);
}
