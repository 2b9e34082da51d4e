namespace MobileViT.Inference.Limits;

/// <summary>
/// Gives the memory of a burst of large requests back to the system once it is over. Request buffers are plain arrays
/// the GC frees (not pooled), but an idle service may not collect again for a long time, so the garbage of the last
/// large requests stays committed: RSS stays at the burst's level. When the request bytes held fall to zero after a
/// burst that reached <see cref="TrimAfterBytes"/>, and stay there for <see cref="QuietPeriod"/>, <c>trim</c> runs once
/// (in the service: a full, compacting collection in the GC's aggressive mode, which decommits what it frees). Not
/// during a burst, where the GC keeps up by itself, and once per burst.
/// </summary>
public sealed class RequestMemoryReclaimer(TimeProvider time, long trimAfterBytes, Action trim) : IDisposable
{
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private long _peak;
    private long _held;
    private ITimer? _timer;

    public long TrimAfterBytes { get; } = trimAfterBytes;

    /// <summary>The aggressive full collection the service uses: blocking and compacting, it returns freed memory to the system at once.</summary>
    public static void CollectAggressively() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    internal void OnHeld(long held)
    {
        lock (_lock)
        {
            _held = held;
            _peak = Math.Max(_peak, held);
        }
    }

    internal void OnReleased(long held)
    {
        lock (_lock)
        {
            _held = held;
            if (held != 0 || _peak < TrimAfterBytes)
                return;
            _timer ??= time.CreateTimer(_ => Quiet(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer.Change(QuietPeriod, Timeout.InfiniteTimeSpan);
        }
    }

    private void Quiet()
    {
        lock (_lock)
        {
            if (_held != 0 || _peak < TrimAfterBytes)
                return;
            _peak = 0;
        }
        trim();
    }

    public void Dispose()
    {
        lock (_lock)
            _timer?.Dispose();
    }
}
