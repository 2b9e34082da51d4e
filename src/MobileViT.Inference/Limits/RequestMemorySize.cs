namespace MobileViT.Inference.Limits;

/// <summary>
/// The size of the request memory budget: <c>MobileViT__Limits__RequestMemoryBytes</c> when set; otherwise a quarter
/// of the memory the process may use (the container's cgroup limit, or the GC's heap hard limit if lower: the GC
/// sets one at 75% of a container's limit, and <c>DOTNET_GCHeapHardLimit</c> sets one anywhere); outside any limit,
/// <see cref="OutsideContainerBytes"/>. Never below <see cref="MinimumFor"/>: the largest single image must always fit.
/// </summary>
public sealed record RequestMemorySize(long Bytes, string Origin)
{
    public const long OutsideContainerBytes = 1L << 30;

    /// <summary>The share of the process's memory limit requests may hold; the rest is the runtime, the models, sessions and decoding.</summary>
    public const int LimitDivisor = 4;

    /// <summary>
    /// The least budget that holds the largest image: while an image's chunks are joined into one block it is briefly
    /// held twice, and its last chunk may be up to one chunk larger than its data.
    /// </summary>
    public static long MinimumFor(long maxImageBytes) => 2 * maxImageBytes + RequestBuffer.MaxChunkBytes;

    public static RequestMemorySize Resolve(long? configured, long maxImageBytes, long? cgroupLimit, long? gcHeapHardLimit)
    {
        if (configured is { } bytes)
            return new RequestMemorySize(bytes, "MobileViT__Limits__RequestMemoryBytes");
        var (limit, origin) = (cgroupLimit, gcHeapHardLimit) switch
        {
            ({ } cgroup, { } heap) when heap < cgroup => (heap, "the GC heap hard limit"),
            ({ } cgroup, _) => (cgroup, "the cgroup memory limit"),
            (null, { } heap) => (heap, "the GC heap hard limit"),
            _ => ((long?)null, "no memory limit found"),
        };
        if (limit is not { } found)
            return new RequestMemorySize(Math.Max(OutsideContainerBytes, MinimumFor(maxImageBytes)), $"default ({origin})");
        return new RequestMemorySize(Math.Max(found / LimitDivisor, MinimumFor(maxImageBytes)), $"a quarter of {origin} ({found} bytes)");
    }

    /// <summary>The GC's heap hard limit (<c>GCHeapHardLimit</c>, set by configuration or by the runtime in a limited container); null when none.</summary>
    public static long? GcHeapHardLimit() =>
        GC.GetConfigurationVariables().TryGetValue("GCHeapHardLimit", out var value) && Convert.ToUInt64(value, System.Globalization.CultureInfo.InvariantCulture) is > 0 and var limit
            ? (long)Math.Min(limit, long.MaxValue)
            : null;
}
