namespace MobileViT.Inference.Batching;

/// <summary>
/// What admission allows for beyond a predicted finish: the prediction is stretched by <see cref="Factor"/> (how much
/// slower than predicted the work ahead drains) and then <see cref="Offset"/> is added (how late the latest requests
/// are beyond that, whatever their wait: a stall, a burst's own handling). A fixed delay kept apart from the factor is
/// what lets a long prediction, the kind that decides what a burst admits, be stretched only by what long waits need.
/// </summary>
internal readonly record struct AdmissionMargin(double Factor, TimeSpan Offset)
{
    /// <summary>The margin before calibration: a factor alone.</summary>
    public static AdmissionMargin Uncalibrated(double factor) => new(factor, TimeSpan.Zero);

    /// <summary>The latest a request predicted to finish at <paramref name="finish"/> is expected to finish.</summary>
    public TimeSpan Stretch(TimeSpan finish) => finish * Factor + Offset;

    /// <summary>The longest predicted finish that <see cref="Stretch"/>es to no more than <paramref name="remaining"/>.</summary>
    public TimeSpan LongestWithin(TimeSpan remaining) => (remaining - Offset) / Factor;
}
