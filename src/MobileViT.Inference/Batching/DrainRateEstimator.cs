namespace MobileViT.Inference.Batching;

/// <summary>
/// A live estimate of a model's drain rate from its batcher's own timings. Each finished batch reports its instance,
/// its image count and how long the instance was busy with it (from the end of its previous batch when it went on
/// without waiting for work); over the recent window each instance's rate is its
/// images divided by its busy time, and the model's rate is the mean instance rate times the number of instances.
/// Busy time rather than wall time, so that an idle spell does not read as a slow model; a window, so that the
/// estimate follows changes of load, contention and image sizes. The same batches give the mean busy time by batch
/// size (<see cref="BatchTimes"/>), from which admission predicts when queued work will have run. When the window has
/// emptied (no traffic), the last estimates stand. Every clock read goes through the <see cref="TimeProvider"/>.
/// </summary>
internal sealed class DrainRateEstimator
{
    private readonly object _lock = new();
    private readonly Queue<(long At, int Instance, int Images, long BusyTicks)> _batches = new();
    private readonly long[] _images;
    private readonly long[] _busyTicks;
    private readonly int[] _batchCounts;
    private readonly long[] _busyTicksBySize;
    private readonly int[] _batchesBySize;
    private readonly TimeProvider _time;
    private readonly long _window;
    private DrainRate? _rate;
    private BatchTimes? _times;

    public DrainRateEstimator(int instances, TimeSpan window, TimeProvider time, int maxBatchSize = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(instances, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        _images = new long[instances];
        _busyTicks = new long[instances];
        _batchCounts = new int[instances];
        _busyTicksBySize = new long[maxBatchSize + 1];
        _batchesBySize = new int[maxBatchSize + 1];
        _time = time;
        _window = (long)(window.TotalSeconds * time.TimestampFrequency);
    }

    /// <summary>
    /// One batch of <paramref name="images"/> kept instance number <paramref name="instance"/> (0-based) busy for
    /// <paramref name="busy"/>. A batch without measurable time says nothing about the speed and is left out.
    /// </summary>
    public void Record(int instance, int images, TimeSpan busy)
    {
        if (busy <= TimeSpan.Zero)
            return;
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            _batches.Enqueue((now, instance, images, busy.Ticks));
            Add(instance, images, busy.Ticks, +1);
            Prune(now);
            Update();
        }
    }

    /// <summary>The current drain rate; null before any batch with a measurable duration has run.</summary>
    public DrainRate? Current => Read(() => _rate);

    /// <summary>The mean busy time of a batch by its size; null before any batch with a measurable duration has run.</summary>
    public BatchTimes? BatchTimes => Read(() => _times);

    private T Read<T>(Func<T> estimate)
    {
        lock (_lock)
        {
            if (Prune(_time.GetTimestamp()))
                Update();
            return estimate();
        }
    }

    private void Add(int instance, int images, long busyTicks, int sign)
    {
        _images[instance] += sign * images;
        _busyTicks[instance] += sign * busyTicks;
        _batchCounts[instance] += sign;
        if (images < _batchesBySize.Length)
        {
            _busyTicksBySize[images] += sign * busyTicks;
            _batchesBySize[images] += sign;
        }
    }

    /// <summary>Drops the batches that have left the window; true when there were any.</summary>
    private bool Prune(long now)
    {
        var pruned = false;
        while (_batches.TryPeek(out var oldest) && now - oldest.At > _window)
        {
            _batches.Dequeue();
            Add(oldest.Instance, oldest.Images, oldest.BusyTicks, -1);
            pruned = true;
        }
        return pruned;
    }

    /// <summary>Recomputes both estimates from the window; an empty window keeps the last ones.</summary>
    private void Update()
    {
        _rate = ComputeRate() ?? _rate;
        _times = ComputeTimes() ?? _times;
    }

    private DrainRate? ComputeRate()
    {
        double rates = 0;
        var measured = 0;
        long busy = 0;
        long batches = 0;
        for (var i = 0; i < _images.Length; i++)
        {
            if (_busyTicks[i] <= 0)
                continue;
            rates += _images[i] / TimeSpan.FromTicks(_busyTicks[i]).TotalSeconds;
            measured++;
            busy += _busyTicks[i];
            batches += _batchCounts[i];
        }
        if (measured == 0)
            return null;
        return new DrainRate(rates / measured * _images.Length, TimeSpan.FromTicks(busy / batches));
    }

    private BatchTimes? ComputeTimes()
    {
        var seconds = new double[_batchesBySize.Length];
        var any = false;
        for (var size = 1; size < seconds.Length; size++)
        {
            if (_batchesBySize[size] > 0 && _busyTicksBySize[size] > 0)
            {
                seconds[size] = TimeSpan.FromTicks(_busyTicksBySize[size]).TotalSeconds / _batchesBySize[size];
                any = true;
            }
        }
        return any ? new BatchTimes(seconds) : null;
    }
}
