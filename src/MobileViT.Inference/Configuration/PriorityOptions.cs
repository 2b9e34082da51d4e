using MobileViT.Inference.Serving;

namespace MobileViT.Inference.Configuration;

/// <summary>
/// <c>MobileViT:Batching:Priority</c>: each priority has its own queue, whose capacity is its share times
/// <see cref="BatchingOptions.QueueCapacity"/> (at least 1), so that an overload of normal traffic cannot fill the
/// room kept for high priority. Normal's share defaults to 1: without priorities, the queue is as large as before.
/// Free instances take the highest priority with work waiting, except that normal and low are guaranteed a share of
/// the images run while they wait (<see cref="NormalGuaranteedShare"/>, <see cref="LowGuaranteedShare"/>), so that
/// a backlog above them cannot starve them.
/// </summary>
public sealed class PriorityOptions
{
    public double HighShare { get; set; } = 0.25;

    public double NormalShare { get; set; } = 1.0;

    public double LowShare { get; set; } = 0.25;

    /// <summary>The share of the images run that normal requests get while they wait, whatever waits above them.</summary>
    public double NormalGuaranteedShare { get; set; } = 0.1;

    /// <summary>The share of the images run that low requests get while they wait, whatever waits above them.</summary>
    public double LowGuaranteedShare { get; set; } = 0.05;

    /// <summary>A priority's guaranteed share of the images run; high needs none, nothing goes before it otherwise.</summary>
    public double GuaranteedShareOf(RequestPriority priority) => priority switch
    {
        RequestPriority.High => 0,
        RequestPriority.Normal => NormalGuaranteedShare,
        RequestPriority.Low => LowGuaranteedShare,
    };

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
