using System.Diagnostics.Metrics;
using MobileViT.Inference.Models;
using MobileViT.Inference.Models.Shadow;

namespace MobileViT.Inference.Telemetry;

/// <summary>
/// Instruments of model versions and shadow evaluation, on the <see cref="InferenceMetrics.MeterName"/> meter: each
/// version's state, the default version, failed loads, and how each shadow version agrees with its default.
/// </summary>
public sealed class ModelVersionMetrics
{
    public const string VersionsInstrument = "mobilevit.model.versions";
    public const string LoadFailuresInstrument = "mobilevit.model.load.failures";
    public const string ShadowComparisonsInstrument = "mobilevit.shadow.comparisons";
    public const string ShadowTop1Instrument = "mobilevit.shadow.top1_agreement";
    public const string ShadowTop5Instrument = "mobilevit.shadow.top5_overlap";
    public const string ShadowLogitDeltaInstrument = "mobilevit.shadow.logit_delta";

    private readonly ModelRegistry _registry;
    private readonly Counter<long> _loadFailures;
    private readonly Counter<long> _shadowComparisons;
    private readonly Counter<long> _shadowDropped;
    private readonly Histogram<double> _shadowDuration;

    public ModelVersionMetrics(InferenceMetrics metrics, ModelRegistry registry)
    {
        _registry = registry;
        var meter = metrics.Meter;
        meter.CreateObservableGauge(VersionsInstrument, ObserveVersions, "{version}",
            "1 for each version of each model in its state (loading, tuning, warming, ready, draining, failed, unloaded: in the repository but not loaded).");
        meter.CreateObservableGauge("mobilevit.model.default_version", ObserveDefaults, "{version}",
            "The version that answers requests naming none, by model.");
        _loadFailures = meter.CreateCounter<long>(LoadFailuresInstrument, "{load}",
            "Loads of a model version that failed; whatever was serving stayed in place.");
        _shadowComparisons = meter.CreateCounter<long>(ShadowComparisonsInstrument, "{sample}",
            "Live samples run on both the default version and its shadow and compared.");
        _shadowDropped = meter.CreateCounter<long>("mobilevit.shadow.dropped", "{sample}",
            "Samples chosen for the shadow but not run on it: the server was busy (reason=busy), the shadow was full (full) or left (gone), or it failed (failed).");
        _shadowDuration = meter.CreateHistogram("mobilevit.shadow.duration", "s",
            "Time the shadow took to answer a sample, queueing and preprocessing included, at low priority.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = InferenceMetrics.SecondsBuckets });
        meter.CreateObservableGauge(ShadowTop1Instrument, () => ObserveShadows(s => s.Top1Agreement), "1",
            "Fraction of compared samples whose top class is the same on the shadow as on the default version.");
        meter.CreateObservableGauge(ShadowTop5Instrument, () => ObserveShadows(s => s.Top5Overlap), "1",
            "Mean fraction of the default version's top 5 classes that are in the shadow's top 5.");
        meter.CreateObservableGauge(ShadowLogitDeltaInstrument, () => ObserveShadows(s => s.MeanAbsLogitDelta), "{logit}",
            "Mean over compared samples and classes of |shadow logit - default logit|.");
    }

    public void RecordLoadFailure(string model, int version) => _loadFailures.Add(1, Tags(model, version));

    internal void RecordShadowComparison(ShadowAgreement pair, TimeSpan duration)
    {
        var tags = PairTags(pair);
        _shadowComparisons.Add(1, tags);
        _shadowDuration.Record(duration.TotalSeconds, tags);
    }

    internal void RecordShadowDropped(ShadowAgreement pair, int samples, string reason) =>
        _shadowDropped.Add(samples, [.. PairTags(pair), new("reason", reason)]);

    private List<Measurement<int>> ObserveVersions() => _registry.AllModels
        .SelectMany(model => model.DescribeVersions(_ => null)
            .GroupBy(v => (v.Version, v.State))
            .Select(g => new Measurement<int>(g.Count(), [.. Tags(model.Name, g.Key.Version), new("state", g.Key.State.Label())])))
        .ToList();

    private List<Measurement<int>> ObserveDefaults() => _registry.Models
        .Where(m => m.Default is not null)
        .Select(m => new Measurement<int>(m.Default!.Version, new KeyValuePair<string, object?>("model", m.Name)))
        .ToList();

    private List<Measurement<double>> ObserveShadows(Func<ShadowAgreementSnapshot, double?> read) => _registry.Shadows.All
        .Select(pair => (pair, Value: read(pair.Snapshot(0))))
        .Where(p => p.Value is not null)
        .Select(p => new Measurement<double>(p.Value!.Value, PairTags(p.pair)))
        .ToList();

    private static KeyValuePair<string, object?>[] Tags(string model, int version) =>
        [new("model", model), new("version", version.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private static KeyValuePair<string, object?>[] PairTags(ShadowAgreement pair) =>
        [.. Tags(pair.Model, pair.Version), new("shadow_version", pair.ShadowVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}
