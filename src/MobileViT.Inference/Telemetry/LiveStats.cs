using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace MobileViT.Inference.Telemetry;

/// <summary>
/// Recent per-model figures for a live view (requests/s, mean batch size, queue depth, latency percentiles over the
/// last minute), read with a <see cref="MeterListener"/> from the same instruments that <see cref="InferenceMetrics"/>
/// exports, so the page and the metrics cannot disagree. Measurements land in one-second buckets of a ring covering
/// a little over a minute; the clock is the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class LiveStats : IDisposable
{
    public const int RateWindowSeconds = 5;
    public const int HistorySeconds = 60;

    private readonly TimeProvider _time;
    private readonly long _startedMs;
    private readonly InferenceMeterListener _listener;
    private readonly ConcurrentDictionary<string, ModelWindow> _models = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _queueDepths = new(StringComparer.OrdinalIgnoreCase);

    public LiveStats(InferenceMetrics metrics, TimeProvider time)
    {
        _time = time;
        _startedMs = NowMs();
        _listener = new InferenceMeterListener(metrics,
            new HashSet<string> { RequestsInstrument, DurationInstrument, BatchSizeInstrument, QueueDepthInstrument }, OnLong, OnDouble, OnInt);
    }

    private const string RequestsInstrument = InferenceMetrics.RequestsInstrument;
    private const string DurationInstrument = InferenceMetrics.RequestDurationInstrument;
    private const string BatchSizeInstrument = InferenceMetrics.BatchSizeInstrument;
    private const string QueueDepthInstrument = InferenceMetrics.QueueDepthInstrument;

    /// <summary>The figures for each of <paramref name="models"/>, by name (zeros for a model that has seen no traffic).</summary>
    public IReadOnlyDictionary<string, ModelLiveStats> Snapshot(IEnumerable<string> models)
    {
        Dictionary<string, int> depths;
        lock (_queueDepths)
        {
            // Each version of a model reports its own queue: the model's depth is their sum.
            _queueDepths.Clear();
            _listener.RecordObservableInstruments();
            depths = new Dictionary<string, int>(_queueDepths, StringComparer.OrdinalIgnoreCase);
        }
        var nowMs = NowMs();
        return models.Distinct(StringComparer.OrdinalIgnoreCase).ToDictionary(model => model,
            model => Window(model).Snapshot(nowMs, _startedMs, depths.GetValueOrDefault(model)), StringComparer.OrdinalIgnoreCase);
    }

    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (Tag(tags, "model") is not { } model)
            return;
        if (instrument.Name == RequestsInstrument)
            Window(model).AddRequests(NowMs(), value, Tag(tags, "outcome") == "success");
        else if (instrument.Name == BatchSizeInstrument)
            Window(model).AddBatch(NowMs(), value);
    }

    private void OnDouble(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument.Name == DurationInstrument && Tag(tags, "model") is { } model && Tag(tags, "outcome") == "success")
            Window(model).AddLatency(NowMs(), value * 1000);
    }

    private void OnInt(Instrument instrument, int value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument.Name == QueueDepthInstrument && Tag(tags, "model") is { } model)
            _queueDepths.AddOrUpdate(model, value, (_, depth) => depth + value);
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key) => InferenceMeterListener.Tag(tags, key);

    private ModelWindow Window(string model) => _models.GetOrAdd(model, _ => new ModelWindow());

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public void Dispose() => _listener.Dispose();

    /// <summary>One model's ring of one-second buckets plus its totals.</summary>
    private sealed class ModelWindow
    {
        // The current second and the HistorySeconds before it, with room to spare.
        private const int Slots = HistorySeconds + 4;
        private readonly SecondBucket[] _ring = Enumerable.Range(0, Slots).Select(_ => new SecondBucket()).ToArray();
        private long _total;
        private long _successful;

        public void AddRequests(long nowMs, long count, bool success)
        {
            lock (_ring)
            {
                var bucket = BucketAt(nowMs / 1000);
                bucket.Requests += count;
                _total += count;
                if (success)
                    _successful += count;
            }
        }

        public void AddBatch(long nowMs, long size)
        {
            lock (_ring)
            {
                var bucket = BucketAt(nowMs / 1000);
                bucket.Batches++;
                bucket.BatchImages += size;
            }
        }

        public void AddLatency(long nowMs, double milliseconds)
        {
            lock (_ring)
                BucketAt(nowMs / 1000).Latency.Record(milliseconds);
        }

        public ModelLiveStats Snapshot(long nowMs, long startedMs, int queueDepth)
        {
            var nowSecond = nowMs / 1000;
            lock (_ring)
            {
                // The rate window: the current (partial) second and the whole seconds before it, but never reaching
                // back before the service started, so the first seconds are not under-reported.
                var firstRateSecond = nowSecond - (RateWindowSeconds - 1);
                var rateSpanMs = Math.Min(nowMs - firstRateSecond * 1000, nowMs - startedMs);
                long recentRequests = 0, batches = 0, batchImages = 0;
                var latency = new LatencyHistogram();
                var history = new int[HistorySeconds];
                for (var second = nowSecond - HistorySeconds; second <= nowSecond; second++)
                {
                    if (Existing(second) is not { } bucket)
                        continue;
                    if (second >= firstRateSecond)
                        recentRequests += bucket.Requests;
                    if (second < nowSecond)
                        history[second - (nowSecond - HistorySeconds)] = (int)bucket.Requests;
                    if (second > nowSecond - HistorySeconds)
                    {
                        batches += bucket.Batches;
                        batchImages += bucket.BatchImages;
                        bucket.Latency.AddTo(latency);
                    }
                }
                return new ModelLiveStats(
                    rateSpanMs > 0 ? recentRequests * 1000.0 / rateSpanMs : 0,
                    batches > 0 ? (double)batchImages / batches : null,
                    queueDepth,
                    latency.Percentile(0.50),
                    latency.Percentile(0.99),
                    _total,
                    _successful,
                    history);
            }
        }

        private SecondBucket BucketAt(long second)
        {
            var bucket = _ring[(int)(second % Slots)];
            if (bucket.Second != second)
                bucket.Reset(second);
            return bucket;
        }

        private SecondBucket? Existing(long second)
        {
            var bucket = _ring[(int)(second % Slots)];
            return bucket.Second == second ? bucket : null;
        }
    }

    private sealed class SecondBucket
    {
        public long Second { get; private set; } = -1;
        public long Requests { get; set; }
        public long Batches { get; set; }
        public long BatchImages { get; set; }
        public LatencyHistogram Latency { get; } = new();

        public void Reset(long second)
        {
            Second = second;
            Requests = 0;
            Batches = 0;
            BatchImages = 0;
            Latency.Clear();
        }
    }
}
