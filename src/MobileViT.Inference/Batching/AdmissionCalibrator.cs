namespace MobileViT.Inference.Batching;

/// <summary>
/// How far admission's predictions are from what happens, per model, over a recent window, and the margin that follows.
/// For each admitted request the batcher reports its predicted and actual finish, both from its admission (a request
/// that expired in the queue counts as finishing a batch after it was dropped, later than its deadline); the margin is a
/// high quantile of actual / predicted over the window. A prediction is stretched by the margin before it is compared
/// with the deadline, so a machine whose speed holds admits close to its capacity, and one whose speed swings (other
/// work on the cores, higher priorities arriving ahead) leaves room in proportion. Until the window holds
/// <see cref="MinSamples"/>, the configured uncalibrated margin applies. Only predictions in the upper part of what
/// could be admitted calibrate (see <see cref="AdmissionPrediction.Calibrates"/>): a short wait is dominated by
/// fixed costs that do not scale with the queue, and it is the long ones that decide what is refused.
/// </summary>
internal sealed class AdmissionCalibrator
{
    public const int MinSamples = 32;
    public const double LowestMargin = 0.5;
    public const double HighestMargin = 10;

    private readonly object _lock = new();
    private readonly Queue<(long At, double Ratio)> _samples = new();
    private readonly List<double> _sorted = [];
    private readonly double _quantile;
    private readonly long _window;
    private readonly int _maxSamples;
    private readonly double _uncalibrated;
    private readonly TimeProvider _time;

    public AdmissionCalibrator(double quantile, TimeSpan window, double uncalibratedMargin, TimeProvider time, int maxSamples = 4096)
    {
        _quantile = quantile;
        _window = (long)(window.TotalSeconds * time.TimestampFrequency);
        _uncalibrated = uncalibratedMargin;
        _maxSamples = maxSamples;
        _time = time;
    }

    /// <summary>The factor predictions are stretched by before they are compared with a deadline.</summary>
    public double Margin
    {
        get
        {
            lock (_lock)
            {
                Prune(_time.GetTimestamp());
                if (_sorted.Count < MinSamples)
                    return _uncalibrated;
                var rank = (int)Math.Ceiling(_quantile * _sorted.Count) - 1;
                return Math.Clamp(_sorted[Math.Clamp(rank, 0, _sorted.Count - 1)], LowestMargin, HighestMargin);
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
            _samples.Enqueue((now, ratio));
            var at = _sorted.BinarySearch(ratio);
            _sorted.Insert(at < 0 ? ~at : at, ratio);
            while (_samples.Count > _maxSamples)
                Drop();
            Prune(now);
        }
        return ratio;
    }

    private void Prune(long now)
    {
        while (_samples.TryPeek(out var oldest) && now - oldest.At > _window)
            Drop();
    }

    private void Drop()
    {
        var (_, ratio) = _samples.Dequeue();
        _sorted.RemoveAt(_sorted.BinarySearch(ratio));
    }
}
