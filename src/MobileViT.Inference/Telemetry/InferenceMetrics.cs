using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MobileViT.Inference.Telemetry;

/// <summary>The inference core's own instruments, on the <c>MobileViT.Inference</c> meter.</summary>
public sealed class InferenceMetrics : IDisposable
{
    public const string MeterName = "MobileViT.Inference";
    public const string ActivitySourceName = "MobileViT.Inference";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _queueWait;
    private readonly Histogram<double> _inference;
    private readonly Histogram<long> _batchSize;
    private readonly Histogram<double> _preprocess;
    private readonly Histogram<double> _loadDuration;
    private readonly Histogram<double> _warmUpDuration;
    private readonly UpDownCounter<int> _instances;
    private readonly List<(string Model, Func<int> Depth, Func<int> InFlight)> _queues = [];

    public InferenceMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _requests = _meter.CreateCounter<long>("mobilevit.requests", "{request}",
            "Inference requests by outcome: success, rejected_queue_full, deadline_exceeded, cancelled, bad_input, failed, unavailable.");
        _queueWait = _meter.CreateHistogram<double>("mobilevit.queue.wait", "ms",
            "Time a request waited in its model's queue before its batch started.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MillisecondBuckets });
        _inference = _meter.CreateHistogram<double>("mobilevit.batch.inference", "ms",
            "ONNX Runtime time for one batch.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MillisecondBuckets });
        _batchSize = _meter.CreateHistogram<long>("mobilevit.batch.size", "{image}",
            "Images in each batch run.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 128] });
        _preprocess = _meter.CreateHistogram<double>("mobilevit.preprocess.duration", "ms",
            "Decode, resize, crop and normalise of one image, on the request's thread.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MillisecondBuckets });
        _loadDuration = _meter.CreateHistogram<double>("mobilevit.model.load.duration", "ms", "Time to obtain a model and create its sessions.");
        _warmUpDuration = _meter.CreateHistogram<double>("mobilevit.model.warmup.duration", "ms", "Time to warm a model's sessions with every batch size.");
        _instances = _meter.CreateUpDownCounter<int>("mobilevit.instances", "{instance}", "Session instances by execution provider.");
        _meter.CreateObservableGauge("mobilevit.queue.depth", () => Observe(q => q.Depth()), "{request}",
            "Requests waiting in the model's queue.");
        _meter.CreateObservableUpDownCounter("mobilevit.batches.in_flight", () => Observe(q => q.InFlight()), "{batch}",
            "Batches running on the model's sessions right now.");
    }

    /// <summary>Makes a model's queue visible to the queue-depth and batches-in-flight instruments.</summary>
    public void RegisterQueue(string model, Func<int> depth, Func<int> inFlight)
    {
        lock (_queues)
            _queues.Add((model, depth, inFlight));
    }

    private List<Measurement<int>> Observe(Func<(string Model, Func<int> Depth, Func<int> InFlight), int> read)
    {
        lock (_queues)
            return _queues.Select(q => new Measurement<int>(read(q), new KeyValuePair<string, object?>("model", q.Model))).ToList();
    }

    /// <summary>Millisecond-scale buckets: inference on this model takes from ~1 ms (GPU) to a few hundred (large CPU batches).</summary>
    public static IReadOnlyList<double> MillisecondBuckets { get; } =
        [0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 250, 500, 1000, 2500, 5000, 10000];

    public Meter Meter => _meter;

    public void RecordRequest(string model, string protocol, string outcome) =>
        _requests.Add(1, new("model", model), new("protocol", protocol), new("outcome", outcome));

    public void RecordPreprocess(string model, double milliseconds) =>
        _preprocess.Record(milliseconds, new KeyValuePair<string, object?>("model", model));

    public void RecordQueueWait(string model, double milliseconds) =>
        _queueWait.Record(milliseconds, new KeyValuePair<string, object?>("model", model));

    public void RecordBatch(string model, string provider, int size, double milliseconds)
    {
        _batchSize.Record(size, new("model", model), new("execution_provider", provider));
        _inference.Record(milliseconds, new("model", model), new("execution_provider", provider));
    }

    /// <summary>Load and warm-up durations and the providers the instances ended up on, once per model.</summary>
    public void RecordModelLoad(string model, double loadMilliseconds, double warmUpMilliseconds, IEnumerable<string> instanceProviders)
    {
        _loadDuration.Record(loadMilliseconds, new KeyValuePair<string, object?>("model", model));
        _warmUpDuration.Record(warmUpMilliseconds, new KeyValuePair<string, object?>("model", model));
        foreach (var provider in instanceProviders)
            _instances.Add(1, new("model", model), new("execution_provider", provider));
    }

    public void Dispose() => _meter.Dispose();
}
