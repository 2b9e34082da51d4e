namespace MobileViT.Inference.Limits;

/// <summary>
/// Gives request memory back to the system. Request buffers are plain arrays the GC frees, not pooled, but the GC frees
/// them only when it next collects: under pressure the refused requests' buffers linger as garbage beside the ones being
/// filled, and an idle service may not collect again for a long time, so RSS stays at the burst's level. Two
/// collections, both rare:
/// <list type="bullet">
/// <item>after the budget refuses a request, with the release that follows (the refused request's own buffers), a
/// background full collection (<c>collect</c>), at most one per <see cref="QuietPeriod"/>;</item>
/// <item>when the bytes held fall to zero after a burst that reached <see cref="TrimAfterBytes"/>, and stay there for
/// <see cref="QuietPeriod"/>, <c>trim</c> once (in the service: a full, compacting collection in the GC's aggressive
/// mode, which decommits what it frees). Not during a burst, and once per burst.</item>
/// </list>
/// </summary>
public sealed class RequestMemoryReclaimer(TimeProvider time, long trimAfterBytes, Action trim, Action? collect = null) : IDisposable
{
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private long _peak;
    private long _held;
    private ITimer? _timer;
    private long? _lastCollect;
    private bool _refused;

    public long TrimAfterBytes { get; } = trimAfterBytes;

    /// <summary>The aggressive full collection the service uses: blocking and compacting, it returns freed memory to the system at once.</summary>
    public static void CollectAggressively() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <summary>A background full collection: it returns at once and the app runs on while it frees what is garbage.</summary>
    public static void CollectInBackground() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: false);

    /// <summary>
    /// The budget refused a request: it is full, and the refused request's buffers are about to become garbage. With
    /// the next release (theirs), a background collection (at most one per <see cref="QuietPeriod"/>) frees them
    /// before more requests read into new ones.
    /// </summary>
    internal void OnRefused()
    {
        lock (_lock)
            _refused = true;
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
        var collectNow = false;
        lock (_lock)
        {
            _held = held;
            if (_refused && collect is not null && (_lastCollect is not { } last || time.GetElapsedTime(last) >= QuietPeriod))
            {
                _refused = false;
                _lastCollect = time.GetTimestamp();
                collectNow = true;
            }
            if (held == 0 && _peak >= TrimAfterBytes)
            {
                _timer ??= time.CreateTimer(_ => Quiet(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _timer.Change(QuietPeriod, Timeout.InfiniteTimeSpan);
            }
        }
        if (collectNow)
            collect!();
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
