using System.Diagnostics.Metrics;

namespace MobileViT.Inference.Telemetry;

/// <summary>
/// How right admission is about the future, on the <c>MobileViT.Inference</c> meter: for each admitted request, its
/// actual start and finish against the predicted ones, and per model the margin the calibration gives (a factor and an
/// offset) and the samples it is calibrated from.
/// </summary>
public sealed class AdmissionMetrics
{
    private readonly Histogram<double> _startError;
    private readonly Histogram<double> _finishRatio;
    private readonly List<Calibration> _calibrations = [];

    internal AdmissionMetrics(Meter meter)
    {
        _startError = meter.CreateHistogram("mobilevit.admission.start.error", "s",
            "For each admitted request, when its batch started minus when admission predicted it would (negative: early).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [-1, -0.5, -0.25, -0.1, -0.05, -0.02, -0.01, 0, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1] });
        _finishRatio = meter.CreateHistogram("mobilevit.admission.finish.ratio", "1",
            "For each admitted request, its actual finish over its predicted finish, both from its admission (an expired request counts as finishing a batch after it was dropped).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 0.8, 0.9, 0.95, 1, 1.05, 1.1, 1.2, 1.5, 2, 3, 5, 10] });
        meter.CreateObservableGauge("mobilevit.admission.margin", () => Observe(c => c.Factor()), "{factor}",
            "The factor admission stretches predicted finishes by before comparing them with deadlines (then adding the offset): the median of the recent finish ratios of long predictions, or the configured WaitEstimateSafetyFactor until there are enough.");
        meter.CreateObservableGauge("mobilevit.admission.offset", () => Observe(c => c.Offset()), "s",
            "What admission adds to a stretched predicted finish before comparing it with a deadline: a high quantile of how late recent requests finished beyond their stretched prediction (0 until there are enough).");
        meter.CreateObservableGauge("mobilevit.admission.calibration.samples", () => Observe(c => c.Samples()), "{request}",
            "Admitted requests in the calibration window whose predictions calibrate the margin.");
    }

    /// <summary>Makes a model's calibration visible (labelled with <paramref name="version"/> when given) until the returned registration is disposed.</summary>
    public IDisposable RegisterCalibration(string model, Func<double> factor, Func<double> offsetSeconds, Func<int> samples, string? version = null)
    {
        var calibration = new Calibration(version is null ? [new("model", model)] : [new("model", model), new("version", version)], factor, offsetSeconds,
            samples, _calibrations);
        lock (_calibrations)
            _calibrations.Add(calibration);
        return calibration;
    }

    public void RecordPrediction(string model, TimeSpan predictedStart, TimeSpan actualStart, double finishRatio)
    {
        var tag = new KeyValuePair<string, object?>("model", model);
        _startError.Record((actualStart - predictedStart).TotalSeconds, tag);
        if (!double.IsNaN(finishRatio) && !double.IsInfinity(finishRatio))
            _finishRatio.Record(finishRatio, tag);
    }

    private List<Measurement<double>> Observe(Func<Calibration, double> read)
    {
        lock (_calibrations)
            return _calibrations.Select(c => new Measurement<double>(read(c), c.Tags)).ToList();
    }

    private sealed class Calibration(KeyValuePair<string, object?>[] tags, Func<double> factor, Func<double> offset, Func<int> samples,
        List<Calibration> owner) : IDisposable
    {
        public KeyValuePair<string, object?>[] Tags { get; } = tags;

        public Func<double> Factor { get; } = factor;

        public Func<double> Offset { get; } = offset;

        public Func<int> Samples { get; } = samples;

        public void Dispose()
        {
            lock (owner)
                owner.Remove(this);
        }
    }
}
