using MobileViT.Inference.Serving;

namespace MobileViT.Inference.Configuration;

/// <summary>
/// <c>MobileViT:Batching:Priority</c>: each priority has its own queue, whose capacity is its share times
/// <see cref="BatchingOptions.QueueCapacity"/> (at least 1), so that an overload of normal traffic cannot fill the
/// room kept for high priority. Normal's share defaults to 1: without priorities, the queue is as large as before.
/// </summary>
public sealed class PriorityOptions
{
    public double HighShare { get; set; } = 0.25;

    public double NormalShare { get; set; } = 1.0;

    public double LowShare { get; set; } = 0.25;

    public double ShareOf(RequestPriority priority) => priority switch
    {
        RequestPriority.High => HighShare,
        RequestPriority.Low => LowShare,
        _ => NormalShare,
    };

    /// <summary>The queue capacity of one priority.</summary>
    public int CapacityOf(RequestPriority priority, int queueCapacity) =>
        Math.Max(1, (int)Math.Round(ShareOf(priority) * queueCapacity, MidpointRounding.AwayFromZero));
}
