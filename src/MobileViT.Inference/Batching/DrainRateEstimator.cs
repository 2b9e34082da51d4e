namespace MobileViT.Inference.Batching;

/// <summary>
/// A live estimate of a model's drain rate from its batcher's own timings. Each finished batch reports its instance,
/// its image count and how long the instance was busy with it (from the end of its previous batch when it went on
/// without waiting for work); over the recent window each instance's rate is its
/// images divided by its busy time, and the model's rate is the mean instance rate times the number of instances.
/// Busy time rather than wall time, so that an idle spell does not read as a slow model; a window, so that the
/// estimate follows changes of load, contention and image sizes. When the window has emptied (no traffic), the last
/// estimate stands. Every clock read goes through the <see cref="TimeProvider"/>.
/// </summary>
internal sealed class DrainRateEstimator
{
    private readonly object _lock = new();
    private readonly Queue<(long At, int Instance, int Images, long BusyTicks)> _batches = new();
    private readonly long[] _images;
    private readonly long[] _busyTicks;
    private readonly int[] _batchCounts;
    private readonly TimeProvider _time;
    private readonly long _window;
    private DrainRate? _last;

    public DrainRateEstimator(int instances, TimeSpan window, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(instances, 1);
        _images = new long[instances];
        _busyTicks = new long[instances];
        _batchCounts = new int[instances];
        _time = time;
        _window = (long)(window.TotalSeconds * time.TimestampFrequency);
    }

    /// <summary>One batch of <paramref name="images"/> kept instance number <paramref name="instance"/> (0-based) busy for <paramref name="busy"/>.</summary>
    public void Record(int instance, int images, TimeSpan busy)
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            _batches.Enqueue((now, instance, images, busy.Ticks));
            _images[instance] += images;
            _busyTicks[instance] += busy.Ticks;
            _batchCounts[instance]++;
            Prune(now);
            _last = Compute() ?? _last;
        }
    }

    /// <summary>The current estimate; null before any batch with a measurable duration has run.</summary>
    public DrainRate? Current
    {
        get
        {
            var now = _time.GetTimestamp();
            lock (_lock)
            {
                Prune(now);
                return Compute() ?? _last;
            }
        }
    }

    private void Prune(long now)
    {
        while (_batches.TryPeek(out var oldest) && now - oldest.At > _window)
        {
            _batches.Dequeue();
            _images[oldest.Instance] -= oldest.Images;
            _busyTicks[oldest.Instance] -= oldest.BusyTicks;
            _batchCounts[oldest.Instance]--;
        }
    }

    private DrainRate? Compute()
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
}
