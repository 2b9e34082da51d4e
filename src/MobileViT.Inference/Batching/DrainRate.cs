namespace MobileViT.Inference.Batching;

/// <summary>
/// How fast a model's queue drains: <paramref name="ImagesPerSecond"/> over all its instances, measured from each
/// instance's busy time (preprocessing on the worker and the session run), and the mean time one batch takes.
/// </summary>
public readonly record struct DrainRate(double ImagesPerSecond, TimeSpan BatchTime)
{
    /// <summary>How long <paramref name="images"/> queued images take to drain at this rate.</summary>
    public TimeSpan TimeFor(int images) => TimeSpan.FromSeconds(images / ImagesPerSecond);
}
