namespace MobileViT.Inference.Batching;

/// <summary>
/// How far admission's predictions are from what happens, per model, over a recent window, and the margin that follows.
/// For each admitted request the batcher reports its predicted and actual finish, both from its admission (a request
/// that expired in the queue counts as finishing a batch after it was dropped, later than its deadline). The margin
/// (<see cref="AdmissionMargin"/>) has two parts, fitted to the window:
/// <list type="bullet">
/// <item>the factor: the median of actual / predicted over the longer half of the predictions, how much slower than
/// predicted long waits drain (a median, so a few late requests do not move it, and of the longer half, so fixed
/// delays, which weigh most on short waits, move it least);</item>
/// <item>the offset: a high quantile of what is left, actual minus predicted times that factor: the late tail (a stall,
/// the handling of a burst's own requests), which delays a request by about the same time whatever its wait.</item>
/// </list>
/// A quantile of the ratio alone would turn a tenth of a second of lateness on short waits into a factor on every
/// prediction, long ones included, and refuse work the server has time for. Until the window holds
/// <see cref="MinSamples"/>, the configured uncalibrated factor applies. Only predictions in the upper part of what
/// could be admitted calibrate (see <see cref="AdmissionPrediction.Calibrates"/>): it is the long waits that decide
/// what is refused.
/// </summary>
internal sealed class AdmissionCalibrator
{
    public const int MinSamples = 32;
    /// <summary>
    /// Admission never counts on the work ahead draining faster than it was measured to: a median below 1 comes from a
    /// drain rate lagging a speed-up, and the offset's stalls are no rarer then.
    /// </summary>
    public const double LowestFactor = 1;
    public const double HighestFactor = 10;
    public static readonly TimeSpan HighestOffset = TimeSpan.FromSeconds(10);

    /// <summary>
    /// By default the margin is refitted once a 32nd of the window has changed, not on every sample: a fit sorts the
    /// window, and at thousands of requests a second (a GPU) a fit per finished request would cost a core
    /// (docs/benchmarks.md, "The margin as a factor and an offset").
    /// </summary>
    public const int DefaultRefitDivisor = 32;

    private readonly object _lock = new();
    private readonly Queue<Sample> _samples = new();
    private readonly double _quantile;
    private readonly long _window;
    private readonly int _maxSamples;
    private readonly AdmissionMargin _uncalibrated;
    private readonly TimeProvider _time;
    private readonly int _refitDivisor;
    private long _changes;
    private long _fittedAt = -1;
    private AdmissionMargin _fitted;
    private Sample[] _byPrediction = [];
    private double[] _scratch = [];

    /// <param name="refitDivisor">The margin is refitted once the window's size / this many samples have changed
    /// (<see cref="int.MaxValue"/>: on every change).</param>
    public AdmissionCalibrator(double quantile, TimeSpan window, double uncalibratedFactor, TimeProvider time, int maxSamples = 4096,
        int refitDivisor = DefaultRefitDivisor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(refitDivisor, 1);
        _refitDivisor = refitDivisor;
        _quantile = quantile;
        _window = (long)(window.TotalSeconds * time.TimestampFrequency);
        _uncalibrated = AdmissionMargin.Uncalibrated(uncalibratedFactor);
        _maxSamples = maxSamples;
        _time = time;
    }

    /// <summary>What predictions are stretched by before they are compared with a deadline.</summary>
    public AdmissionMargin Margin
    {
        get
        {
            lock (_lock)
            {
                Prune(_time.GetTimestamp());
                if (_samples.Count < MinSamples)
                    return _uncalibrated;
                if (_fittedAt < 0 || _changes - _fittedAt >= Math.Max(1, _samples.Count / _refitDivisor))
                {
                    _fitted = Fit();
                    _fittedAt = _changes;
                }
                return _fitted;
            }
        }
    }

    /// <summary>Samples in the window.</summary>
    public int Samples
    {
        get
        {
            lock (_lock)
            {
                Prune(_time.GetTimestamp());
                return _samples.Count;
            }
        }
    }

    /// <summary>
    /// A request finished <paramref name="actualFinish"/> after its admission; returns actual / predicted, to 0.01%
    /// (finer is clock rounding, not error).
    /// </summary>
    public double Record(AdmissionPrediction prediction, TimeSpan actualFinish)
    {
        var ratio = Math.Round(actualFinish / prediction.Finish, 4);
        if (!prediction.Calibrates || double.IsNaN(ratio) || double.IsInfinity(ratio))
            return ratio;
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            _samples.Enqueue(new Sample(now, prediction.Finish.TotalSeconds, actualFinish.TotalSeconds, ratio));
            _changes++;
            while (_samples.Count > _maxSamples)
                Drop();
            Prune(now);
        }
        return ratio;
    }

    /// <summary>Fits the margin to the window, in buffers kept from one fit to the next.</summary>
    private AdmissionMargin Fit()
    {
        var count = _samples.Count;
        if (_byPrediction.Length < count)
        {
            _byPrediction = new Sample[Math.Min(Math.Max(count * 2, 64), _maxSamples)];
            _scratch = new double[_byPrediction.Length];
        }
        _samples.CopyTo(_byPrediction, 0);
        var samples = _byPrediction.AsSpan(0, count);
        samples.Sort(static (a, b) => a.Predicted.CompareTo(b.Predicted));
        var longer = samples[(count / 2)..];
        var ratios = _scratch.AsSpan(0, longer.Length);
        for (var i = 0; i < longer.Length; i++)
            ratios[i] = longer[i].Ratio;
        ratios.Sort();
        var factor = Math.Clamp(ratios[(ratios.Length - 1) / 2], LowestFactor, HighestFactor);

        var late = _scratch.AsSpan(0, count);
        for (var i = 0; i < count; i++)
            late[i] = samples[i].Actual - factor * samples[i].Predicted;
        late.Sort();
        var rank = Math.Clamp((int)Math.Ceiling(_quantile * count) - 1, 0, count - 1);
        var offset = TimeSpan.FromSeconds(Math.Clamp(late[rank], 0, HighestOffset.TotalSeconds));
        return new AdmissionMargin(factor, offset);
    }

    private void Prune(long now)
    {
        while (_samples.TryPeek(out var oldest) && now - oldest.At > _window)
            Drop();
    }

    private void Drop()
    {
        _samples.Dequeue();
        _changes++;
    }

    /// <summary>One admitted request: predicted and actual finish in seconds from its admission, and their ratio.</summary>
    private readonly record struct Sample(long At, double Predicted, double Actual, double Ratio);
}
