using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MobileViT.Inference.Telemetry;

/// <summary>
/// The inference core's own instruments, on the <c>MobileViT.Inference</c> meter, and its activity source. Durations
/// are in seconds (OpenTelemetry and Prometheus convention) with bucket boundaries fine enough for millisecond-scale
/// inference. The host decides where they are exported.
/// </summary>
public sealed class InferenceMetrics : IDisposable
{
    public const string MeterName = "MobileViT.Inference";
    public const string ActivitySourceName = "MobileViT.Inference";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    public const string RequestsInstrument = "mobilevit.requests";
    public const string RequestDurationInstrument = "mobilevit.request.duration";
    public const string QueueWaitInstrument = "mobilevit.queue.wait";
    public const string BatchInferenceInstrument = "mobilevit.batch.inference";
    public const string BatchSizeInstrument = "mobilevit.batch.size";
    public const string PreprocessInstrument = "mobilevit.preprocess.duration";
    public const string OutputInstrument = "mobilevit.output.duration";
    public const string QueueDepthInstrument = "mobilevit.queue.depth";
    public const string TuningThroughputInstrument = "mobilevit.tuning.throughput";
    public const string TuningLatencyInstrument = "mobilevit.tuning.latency";
    public const string TuningDurationInstrument = "mobilevit.tuning.duration";

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _bytesReceived;
    private readonly Histogram<double> _queueWait;
    private readonly Histogram<double> _inference;
    private readonly Histogram<long> _batchSize;
    private readonly Histogram<double> _preprocess;
    private readonly Histogram<double> _output;
    private readonly Histogram<double> _loadDuration;
    private readonly Histogram<double> _warmUpDuration;
    private readonly UpDownCounter<int> _instances;
    private readonly List<QueueRegistration> _queues = [];
    private readonly Histogram<double> _predictedWait;
    private readonly List<DrainRateRegistration> _drainRates = [];
    private readonly List<(string Model, Tuning.TuningResult Result)> _tunings = [];

    public InferenceMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _requests = _meter.CreateCounter<long>(RequestsInstrument, "{request}",
            "Inference requests, each counted once, by outcome: " + string.Join(", ", Serving.RequestOutcome.All) + ".");
        _requestDuration = _meter.CreateHistogram(RequestDurationInstrument, "s",
            "End-to-end time of one inference request in the service: preprocessing, queueing, inference and post-processing.",
            advice: SecondsAdvice);
        _bytesReceived = _meter.CreateCounter<long>("mobilevit.request.received", "By",
            "Encoded image or tensor bytes received for inference.");
        _queueWait = _meter.CreateHistogram(QueueWaitInstrument, "s",
            "Time a request waited in its model's queue before its batch started.", advice: SecondsAdvice);
        _inference = _meter.CreateHistogram(BatchInferenceInstrument, "s",
            "ONNX Runtime time for one batch.", advice: SecondsAdvice);
        _batchSize = _meter.CreateHistogram<long>(BatchSizeInstrument, "{image}",
            "Images in each batch run.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 128] });
        _preprocess = _meter.CreateHistogram(PreprocessInstrument, "s",
            "Decode, resize, crop and normalise of one image, on the request's thread.", advice: SecondsAdvice);
        _output = _meter.CreateHistogram(OutputInstrument, "s",
            "Time to shape one request's output from its logits: top-k with softmax, or a protocol's classification or logits tensor.",
            advice: SecondsAdvice);
        _loadDuration = _meter.CreateHistogram("mobilevit.model.load.duration", "s",
            "Time to obtain a model and create its sessions.", advice: StartupSecondsAdvice);
        _warmUpDuration = _meter.CreateHistogram("mobilevit.model.warmup.duration", "s",
            "Time to warm a model's sessions with every batch size.", advice: StartupSecondsAdvice);
        _instances = _meter.CreateUpDownCounter<int>("mobilevit.instances", "{instance}", "Session instances by execution provider.");
        _meter.CreateObservableGauge(QueueDepthInstrument, () => Observe(q => q.Depth()), "{request}",
            "Requests waiting in the model's queue.");
        _meter.CreateObservableUpDownCounter("mobilevit.batches.in_flight", () => Observe(q => q.InFlight()), "{batch}",
            "Batches running on the model's sessions right now.");
        _predictedWait = _meter.CreateHistogram("mobilevit.admission.predicted_wait", "s",
            "At admission, the predicted wait of a request before it starts (queue ahead at its priority and above / drain rate), refused or not.",
            advice: SecondsAdvice);
        Admission = new AdmissionMetrics(_meter);
        _meter.CreateObservableGauge("mobilevit.drain_rate", ObserveDrainRates, "{image}/s",
            "Live estimate of how fast the model's queue drains: images per second over the recent window, from the instances' busy time.");
        _meter.CreateObservableGauge(TuningThroughputInstrument, () => ObserveTuning(m => m.ImagesPerSecond), "{image}/s",
            "Warm-up tuning: images per second each measured candidate gave, by instances, threads and batch; chosen=true marks the setting in use.");
        _meter.CreateObservableGauge(TuningLatencyInstrument, () => ObserveTuning(m => m.LatencyP50Ms / 1000), "s",
            "Warm-up tuning: median batch time of each measured candidate (single-image latency at batch 1), tagged like the throughput.");
        _meter.CreateObservableGauge(TuningDurationInstrument, ObserveTuningDurations, "s",
            "Warm-up tuning: how long the model's sweep took.");
    }

    /// <summary>Makes a model's tuning sweep visible to the tuning instruments; a version loaded later replaces the earlier sweep.</summary>
    public void RecordTuning(string model, Tuning.TuningResult result)
    {
        lock (_tunings)
        {
            _tunings.RemoveAll(t => t.Model == model);
            _tunings.Add((model, result));
        }
    }

    private List<Measurement<double>> ObserveTuning(Func<Tuning.TuningMeasurement, double> read)
    {
        lock (_tunings)
        {
            return _tunings.SelectMany(t => t.Result.Measured.Where(m => !double.IsNaN(read(m))).Select(m => new Measurement<double>(read(m),
                new KeyValuePair<string, object?>("model", t.Model),
                new KeyValuePair<string, object?>("instances", m.Candidate.Instances),
                new KeyValuePair<string, object?>("threads", m.Candidate.IntraOpThreads),
                new KeyValuePair<string, object?>("batch", m.Candidate.MaxBatchSize),
                new KeyValuePair<string, object?>("chosen", m.Candidate == t.Result.Chosen ? "true" : "false")))).ToList();
        }
    }

    private List<Measurement<double>> ObserveTuningDurations()
    {
        lock (_tunings)
            return _tunings.Select(t => new Measurement<double>(t.Result.Duration.TotalSeconds, new KeyValuePair<string, object?>("model", t.Model))).ToList();
    }

    /// <summary>Admission's predictions against what happened, and its calibrated margin.</summary>
    public AdmissionMetrics Admission { get; }

    /// <summary>
    /// Makes a model's drain-rate estimate visible (labelled with <paramref name="version"/> when given) until the
    /// returned registration is disposed; a model without an estimate yet reports nothing.
    /// </summary>
    public IDisposable RegisterDrainRate(string model, Func<double?> imagesPerSecond, string? version = null)
    {
        var registration = new DrainRateRegistration(model, version, imagesPerSecond, _drainRates);
        lock (_drainRates)
            _drainRates.Add(registration);
        return registration;
    }

    private List<Measurement<double>> ObserveDrainRates()
    {
        lock (_drainRates)
        {
            return _drainRates.Select(d => (d.Tags, Rate: d.ImagesPerSecond()))
                .Where(d => d.Rate is not null)
                .Select(d => new Measurement<double>(d.Rate!.Value, d.Tags))
                .ToList();
        }
    }

    public void RecordPredictedWait(string model, Serving.RequestPriority priority, TimeSpan wait) =>
        _predictedWait.Record(wait.TotalSeconds, new("model", model), new("priority", Serving.RequestPriorities.Label(priority)));

    /// <summary>
    /// Makes a model's queue visible to the queue-depth and batches-in-flight instruments (labelled with
    /// <paramref name="version"/> when given) until the returned registration is disposed.
    /// </summary>
    public IDisposable RegisterQueue(string model, Func<int> depth, Func<int> inFlight, string? version = null)
    {
        var registration = new QueueRegistration(model, version, depth, inFlight, _queues);
        lock (_queues)
            _queues.Add(registration);
        return registration;
    }

    private List<Measurement<int>> Observe(Func<QueueRegistration, int> read)
    {
        lock (_queues)
            return _queues.Select(q => new Measurement<int>(read(q), q.Tags)).ToList();
    }

    private static KeyValuePair<string, object?>[] ModelTags(string model, string? version) =>
        version is null ? [new("model", model)] : [new("model", model), new("version", version)];

    private sealed class QueueRegistration(string model, string? version, Func<int> depth, Func<int> inFlight, List<QueueRegistration> owner) : IDisposable
    {
        public KeyValuePair<string, object?>[] Tags { get; } = ModelTags(model, version);
        public Func<int> Depth { get; } = depth;
        public Func<int> InFlight { get; } = inFlight;

        public void Dispose()
        {
            lock (owner)
                owner.Remove(this);
        }
    }

    private sealed class DrainRateRegistration(string model, string? version, Func<double?> imagesPerSecond, List<DrainRateRegistration> owner) : IDisposable
    {
        public KeyValuePair<string, object?>[] Tags { get; } = ModelTags(model, version);
        public Func<double?> ImagesPerSecond { get; } = imagesPerSecond;

        public void Dispose()
        {
            lock (owner)
                owner.Remove(this);
        }
    }

    /// <summary>
    /// Bucket boundaries in seconds for request-path durations: inference on this model takes from ~1 ms (GPU) to a few
    /// hundred ms (large CPU batches), so the buckets are dense between 0.25 ms and 1 s.
    /// </summary>
    public static IReadOnlyList<double> SecondsBuckets { get; } =
        [0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly InstrumentAdvice<double> SecondsAdvice = new() { HistogramBucketBoundaries = SecondsBuckets };

    /// <summary>Model download, session creation and warm-up take seconds to minutes.</summary>
    private static readonly InstrumentAdvice<double> StartupSecondsAdvice = new()
    {
        HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    };

    public Meter Meter => _meter;

    /// <summary>
    /// Counts one request's outcome and, when known, its end-to-end duration; <paramref name="client"/> is an API key's
    /// name (bounded by the keys configured), <paramref name="priority"/> one of three values.
    /// </summary>
    public void RecordRequest(string model, string protocol, string outcome, TimeSpan? duration = null, string client = Access.ClientLabel.Anonymous,
        Serving.RequestPriority priority = Serving.RequestPriority.Normal, string? version = null)
    {
        var tags = new TagList
        {
            { "model", model }, { "protocol", protocol }, { "outcome", outcome }, { "client", client }, { "priority", Serving.RequestPriorities.Label(priority) },
        };
        // The version that served it; a request refused before one was chosen has none.
        if (version is not null)
            tags.Add("version", version);
        _requests.Add(1, tags);
        if (duration is { } elapsed)
            _requestDuration.Record(elapsed.TotalSeconds, tags);
    }

    public void RecordBytesReceived(string model, string protocol, long bytes) =>
        _bytesReceived.Add(bytes, new("model", model), new("protocol", protocol));

    public void RecordPreprocess(string model, TimeSpan duration) =>
        _preprocess.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("model", model));

    public void RecordOutput(string model, TimeSpan duration) =>
        _output.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("model", model));

    public void RecordQueueWait(string model, Serving.RequestPriority priority, TimeSpan duration) =>
        _queueWait.Record(duration.TotalSeconds, new("model", model), new("priority", Serving.RequestPriorities.Label(priority)));

    /// <summary>One session run: its size and its time, by execution provider.</summary>
    public void RecordBatch(string model, string provider, int size, TimeSpan inference)
    {
        _batchSize.Record(size, new("model", model), new("execution_provider", provider));
        _inference.Record(inference.TotalSeconds, new("model", model), new("execution_provider", provider));
    }

    /// <summary>Load and warm-up durations and the providers the instances ended up on, once per model.</summary>
    public void RecordModelLoad(string model, TimeSpan load, TimeSpan warmUp, IEnumerable<string> instanceProviders)
    {
        _loadDuration.Record(load.TotalSeconds, new KeyValuePair<string, object?>("model", model));
        _warmUpDuration.Record(warmUp.TotalSeconds, new KeyValuePair<string, object?>("model", model));
        foreach (var provider in instanceProviders)
            _instances.Add(1, new("model", model), new("execution_provider", provider));
    }

    /// <summary>A model version was unloaded: its instances no longer count.</summary>
    public void RecordModelUnload(string model, IEnumerable<string> instanceProviders)
    {
        foreach (var provider in instanceProviders)
            _instances.Add(-1, new("model", model), new("execution_provider", provider));
    }

    public void Dispose() => _meter.Dispose();
}
