namespace MobileViT.Inference.Batching;

/// <summary>
/// How long one instance is busy with a batch, by the batch's size: the mean over the recent window for the sizes
/// that ran, and for a size that did not, the nearest size that did, scaled by the number of images (a batch of one
/// more image costs about one more image's time). Measured like the drain rate, from the instances' busy time, so a
/// loaded machine's longer batches and the gaps between back-to-back batches are in it.
/// </summary>
internal sealed class BatchTimes
{
    private readonly double[] _seconds;

    /// <param name="seconds">Mean seconds by batch size (index 0 unused); NaN or 0 where no batch of that size ran.</param>
    public BatchTimes(double[] seconds)
    {
        if (!seconds.Any(s => s > 0))
            throw new ArgumentException("At least one batch size needs a measured time.", nameof(seconds));
        _seconds = seconds;
    }

    /// <summary>The same time per image at every size, up to <paramref name="maxBatchSize"/>.</summary>
    public static BatchTimes PerImage(TimeSpan perImage, int maxBatchSize) =>
        new(Enumerable.Range(0, maxBatchSize + 1).Select(size => size * perImage.TotalSeconds).ToArray());

    public double SecondsFor(int size)
    {
        if (size < _seconds.Length && _seconds[size] > 0)
            return _seconds[size];
        var nearest = 0;
        for (var s = 1; s < _seconds.Length; s++)
        {
            if (_seconds[s] > 0 && (nearest == 0 || Math.Abs(s - size) < Math.Abs(nearest - size)))
                nearest = s;
        }
        return _seconds[nearest] * size / nearest;
    }
}
