namespace MobileViT.Inference.Limits;

/// <summary>
/// Gives the memory of a burst of large requests back to the system once it is over. Request buffers are plain arrays
/// the GC frees (not pooled), but an idle service may not collect again for a long time, so the garbage of the last
/// large requests stays committed: RSS stays at the burst's level. When the request bytes held fall to zero after a
/// burst that reached <see cref="TrimAfterBytes"/>, and stay there for <see cref="QuietPeriod"/>, <c>trim</c> runs once
/// (in the service: <see cref="ReturnFreeMemory"/>). Not during a burst, where the GC keeps up by itself, and once per
/// burst. Unloading a model version asks for the same
/// (<see cref="CollectWhenQuiet"/>): a blocking, compacting collection pauses every request being served, so the free
/// memory a version leaves waits for a quiet second; under steady traffic the GC's own collections reuse it.
/// </summary>
public sealed class RequestMemoryReclaimer(TimeProvider time, long trimAfterBytes, Action trim) : IDisposable
{
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private long _peak;
    private long _held;
    private bool _requested;
    private ITimer? _timer;

    public long TrimAfterBytes { get; } = trimAfterBytes;

    /// <summary>
    /// What the service runs: the aggressive full collection, blocking and compacting, which returns what it frees to
    /// the system at once, then the trim of glibc's heap arenas (<see cref="Models.MemoryRelease"/>).
    /// </summary>
    public static void ReturnFreeMemory()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Models.MemoryRelease.TrimNativeHeap();
    }

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
            if (held == 0 && Due)
                Arm();
        }
    }

    /// <summary>Memory was freed outside the requests (a model version unloaded): trim once the requests have been quiet for <see cref="QuietPeriod"/>.</summary>
    public void CollectWhenQuiet()
    {
        lock (_lock)
        {
            _requested = true;
            if (_held == 0)
                Arm();
        }
    }

    private bool Due => _requested || _peak >= TrimAfterBytes;

    private void Arm()
    {
        _timer ??= time.CreateTimer(_ => Quiet(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(QuietPeriod, Timeout.InfiniteTimeSpan);
    }

    private void Quiet()
    {
        lock (_lock)
        {
            if (_held != 0 || !Due)
                return;
            _peak = 0;
            _requested = false;
        }
        trim();
    }

    public void Dispose()
    {
        lock (_lock)
            _timer?.Dispose();
    }
}
