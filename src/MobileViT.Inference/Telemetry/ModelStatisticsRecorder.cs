using System.Collections.Concurrent;

namespace MobileViT.Inference.Telemetry;

/// <summary>
/// One model's (or one version's) running totals (<see cref="ModelStatistics"/>); a version's recorder adds every figure
/// to its model's, <paramref name="parent"/>, too. Every method is safe to call from any thread.
/// </summary>
internal sealed class ModelStatisticsRecorder(ModelStatisticsRecorder? parent = null)
{
    private readonly DurationAccumulator _success = new();
    private readonly DurationAccumulator _fail = new();
    private readonly DurationAccumulator _queue = new();
    private readonly DurationAccumulator _computeInput = new();
    private readonly DurationAccumulator _infer = new();
    private readonly DurationAccumulator _computeOutput = new();
    private readonly ConcurrentDictionary<int, DurationAccumulator> _bySize = new();
    private long _inferences;
    private long _executions;
    private long _lastInferenceMs;

    /// <summary>One request ended, successfully or not, after <paramref name="duration"/>.</summary>
    public void RecordRequest(bool success, TimeSpan duration, DateTimeOffset now)
    {
        (success ? _success : _fail).Add(duration);
        Interlocked.Exchange(ref _lastInferenceMs, now.ToUnixTimeMilliseconds());
        parent?.RecordRequest(success, duration, now);
    }

    /// <summary>One image waited <paramref name="duration"/> in the queue before its batch started.</summary>
    public void RecordQueue(TimeSpan duration)
    {
        _queue.Add(duration);
        parent?.RecordQueue(duration);
    }

    /// <summary>One image was decoded and preprocessed in <paramref name="duration"/>.</summary>
    public void RecordComputeInput(TimeSpan duration)
    {
        _computeInput.Add(duration);
        parent?.RecordComputeInput(duration);
    }

    /// <summary>One session run of <paramref name="batchSize"/> images took <paramref name="duration"/>.</summary>
    public void RecordInferBatch(int batchSize, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Interlocked.Add(ref _inferences, batchSize);
        Interlocked.Increment(ref _executions);
        _infer.Add(duration);
        _bySize.GetOrAdd(batchSize, _ => new DurationAccumulator()).Add(duration);
        parent?.RecordInferBatch(batchSize, duration);
    }

    /// <summary>One request's output was shaped from its logits in <paramref name="duration"/>.</summary>
    public void RecordComputeOutput(TimeSpan duration)
    {
        _computeOutput.Add(duration);
        parent?.RecordComputeOutput(duration);
    }

    public ModelStatisticsSnapshot Snapshot()
    {
        var last = Interlocked.Read(ref _lastInferenceMs);
        return new ModelStatisticsSnapshot(
            last > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(last) : null,
            Interlocked.Read(ref _inferences),
            Interlocked.Read(ref _executions),
            _success.Read(), _fail.Read(), _queue.Read(), _computeInput.Read(), _infer.Read(), _computeOutput.Read(),
            _bySize.OrderBy(b => b.Key).Select(b => new BatchSizeStatistics(b.Key, b.Value.Read())).ToList());
    }

    private sealed class DurationAccumulator
    {
        private long _count;
        private long _ns;

        public void Add(TimeSpan duration)
        {
            Interlocked.Increment(ref _count);
            Interlocked.Add(ref _ns, (long)Math.Round(duration.Ticks * 100.0));
        }

        public DurationStat Read() => new(Interlocked.Read(ref _count), Interlocked.Read(ref _ns));
    }
}
