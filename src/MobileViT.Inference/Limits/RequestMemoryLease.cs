namespace MobileViT.Inference.Limits;

/// <summary>
/// What one request holds of the <see cref="RequestMemoryBudget"/>. Reserve before allocating, release what is freed;
/// disposing gives back the rest. A request read part by part gives each part a <see cref="Part"/> lease of its own,
/// released when that part is done with; the request's lease still sees their sum, so that a request that alone needs
/// more than the whole budget is refused as too large rather than told to retry. Used by one reader at a time;
/// dispose is safe from any thread and more than once.
/// </summary>
public sealed class RequestMemoryLease : IDisposable
{
    private readonly RequestMemoryBudget _budget;
    private readonly RequestMemoryLease? _request;
    private long _held;
    private long _total;

    internal RequestMemoryLease(RequestMemoryBudget budget, RequestMemoryLease? request = null)
    {
        _budget = budget;
        _request = request;
    }

    /// <summary>What this lease holds itself (not its parts).</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>What the request holds: this lease's bytes and those of its parts still held.</summary>
    public long RequestTotal => Interlocked.Read(ref (_request ?? this)._total);

    /// <summary>A lease for one part of this request, counted in its total, given back on its own.</summary>
    public RequestMemoryLease Part() => new(_budget, _request ?? this);

    /// <summary>Takes <paramref name="bytes"/> more, or throws (<see cref="MemoryBudgetExceededException"/>, <see cref="RequestTooLargeException"/>) holding no more than before.</summary>
    public void Reserve(long bytes)
    {
        if (bytes <= 0)
            return;
        _budget.Reserve(bytes, RequestTotal);
        Interlocked.Add(ref _held, bytes);
        Interlocked.Add(ref (_request ?? this)._total, bytes);
    }

    public void Release(long bytes)
    {
        long held, release;
        do
        {
            held = Interlocked.Read(ref _held);
            release = Math.Clamp(bytes, 0, held);
            if (release == 0)
                return;
        }
        while (Interlocked.CompareExchange(ref _held, held - release, held) != held);
        Interlocked.Add(ref (_request ?? this)._total, -release);
        _budget.Release(release);
    }

    public void Dispose() => Release(long.MaxValue);
}
