namespace MobileViT.Inference.Access;

/// <summary>One client's token bucket: <see cref="PermitsPerSecond"/> sustained, <see cref="Burst"/> at once.</summary>
public sealed record ClientRateLimit
{
    public double PermitsPerSecond { get; set; }

    public int? Burst { get; set; }

    /// <summary>The bucket's size: <see cref="Burst"/>, or one second's worth (at least 1).</summary>
    public int BucketSize => Burst ?? Math.Max(1, (int)Math.Ceiling(PermitsPerSecond));
}
