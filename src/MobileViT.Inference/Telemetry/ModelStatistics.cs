using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace MobileViT.Inference.Telemetry;

/// <summary>
/// Cumulative per-model statistics since the service started (what Triton's statistics extension reports), read
/// with an <see cref="InferenceMeterListener"/> from the instruments <see cref="InferenceMetrics"/> exports, so they
/// always agree with <c>/metrics</c>: requests and their durations by outcome, queue wait, preprocessing, session run
/// (also per batch size) and output shaping.
/// </summary>
public sealed class ModelStatistics : IDisposable
{
    private readonly TimeProvider _time;
    private readonly InferenceMeterListener _listener;
    private readonly ConcurrentDictionary<string, Totals> _models = new(StringComparer.OrdinalIgnoreCase);

    // RecordBatch records the batch size and then its inference time on the same thread; this pairs them.
    [ThreadStatic]
    private static (ModelStatistics Owner, string Model, long Size) _pendingBatch;

    public ModelStatistics(InferenceMetrics metrics, TimeProvider time)
    {
        _time = time;
        _listener = new InferenceMeterListener(metrics, new HashSet<string>
        {
            InferenceMetrics.RequestsInstrument, InferenceMetrics.RequestDurationInstrument, InferenceMetrics.QueueWaitInstrument,
            InferenceMetrics.PreprocessInstrument, InferenceMetrics.BatchSizeInstrument, InferenceMetrics.BatchInferenceInstrument,
            InferenceMetrics.OutputInstrument,
        }, OnLong, OnDouble);
    }

    /// <summary>The totals of one model (zeros when it has seen no traffic).</summary>
    public ModelStatisticsSnapshot Snapshot(string model) => Of(model).Snapshot();

    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (InferenceMeterListener.Tag(tags, "model") is not { } model)
            return;
        switch (instrument.Name)
        {
            case InferenceMetrics.RequestsInstrument:
                Of(model).AddRequest(InferenceMeterListener.Tag(tags, "outcome") == "success", value, _time.GetUtcNow());
                break;
            case InferenceMetrics.BatchSizeInstrument:
                Of(model).AddExecution(value);
                _pendingBatch = (this, model, value);
                break;
        }
    }

    private void OnDouble(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (InferenceMeterListener.Tag(tags, "model") is not { } model)
            return;
        var totals = Of(model);
        var ns = (long)Math.Round(seconds * 1e9);
        switch (instrument.Name)
        {
            case InferenceMetrics.RequestDurationInstrument:
                totals.AddRequestTime(InferenceMeterListener.Tag(tags, "outcome") == "success", ns);
                break;
            case InferenceMetrics.QueueWaitInstrument:
                totals.Queue.Add(ns);
                break;
            case InferenceMetrics.PreprocessInstrument:
                totals.ComputeInput.Add(ns);
                break;
            case InferenceMetrics.OutputInstrument:
                totals.ComputeOutput.Add(ns);
                break;
            case InferenceMetrics.BatchInferenceInstrument:
                var pending = _pendingBatch;
                var size = ReferenceEquals(pending.Owner, this) && pending.Model == model ? pending.Size : 0;
                _pendingBatch = default;
                totals.AddInfer(size, ns);
                break;
        }
    }

    private Totals Of(string model) => _models.GetOrAdd(model, _ => new Totals());

    public void Dispose() => _listener.Dispose();

    private sealed class Accumulator
    {
        private long _count;
        private long _ns;

        public void Add(long ns)
        {
            Interlocked.Increment(ref _count);
            Interlocked.Add(ref _ns, ns);
        }

        public void AddCount(long count) => Interlocked.Add(ref _count, count);

        public void AddTime(long ns) => Interlocked.Add(ref _ns, ns);

        public DurationStat Read() => new(Interlocked.Read(ref _count), Interlocked.Read(ref _ns));
    }

    private sealed class Totals
    {
        private readonly Accumulator _success = new();
        private readonly Accumulator _fail = new();
        private readonly Accumulator _infer = new();
        private readonly ConcurrentDictionary<long, Accumulator> _bySize = new();
        private long _inferences;
        private long _executions;
        private long _lastInferenceMs;

        public Accumulator Queue { get; } = new();
        public Accumulator ComputeInput { get; } = new();
        public Accumulator ComputeOutput { get; } = new();

        public void AddRequest(bool success, long count, DateTimeOffset now)
        {
            (success ? _success : _fail).AddCount(count);
            Interlocked.Exchange(ref _lastInferenceMs, now.ToUnixTimeMilliseconds());
        }

        public void AddRequestTime(bool success, long ns) => (success ? _success : _fail).AddTime(ns);

        public void AddExecution(long images)
        {
            Interlocked.Add(ref _inferences, images);
            Interlocked.Increment(ref _executions);
        }

        public void AddInfer(long batchSize, long ns)
        {
            _infer.Add(ns);
            if (batchSize > 0)
                _bySize.GetOrAdd(batchSize, _ => new Accumulator()).Add(ns);
        }

        public ModelStatisticsSnapshot Snapshot()
        {
            var last = Interlocked.Read(ref _lastInferenceMs);
            return new ModelStatisticsSnapshot(
                last > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(last) : null,
                Interlocked.Read(ref _inferences),
                Interlocked.Read(ref _executions),
                _success.Read(), _fail.Read(), Queue.Read(), ComputeInput.Read(), _infer.Read(), ComputeOutput.Read(),
                _bySize.OrderBy(b => b.Key).Select(b => new BatchSizeStatistics((int)b.Key, b.Value.Read())).ToList());
        }
    }
}
