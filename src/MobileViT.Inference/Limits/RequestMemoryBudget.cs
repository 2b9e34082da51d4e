using System.Diagnostics.Metrics;

namespace MobileViT.Inference.Limits;

/// <summary>
/// The process-wide budget of request bytes held in memory: bodies, parts and headers as they arrive, and the tensors
/// made from them, until their request ends. Readers reserve through a <see cref="RequestMemoryLease"/> before they
/// allocate, chunk by chunk as data arrives, so a declared size reserves nothing. A reservation that would take the
/// total over <see cref="Capacity"/> is refused (<see cref="MemoryBudgetExceededException"/>: 503, RESOURCE_EXHAUSTED)
/// before more is read; one request that alone needs more than the capacity is refused as too large (413).
/// </summary>
public sealed class RequestMemoryBudget
{
    public const string HeldInstrument = "mobilevit.request_memory.held";
    public const string CapacityInstrument = "mobilevit.request_memory.capacity";
    public const string RefusalsInstrument = "mobilevit.request_memory.refusals";

    /// <summary>How long a refused client is asked to wait: held bytes go back as soon as the requests holding them end.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private readonly RequestMemoryReclaimer? _reclaimer;
    private long _held;
    private long _refusals;

    public RequestMemoryBudget(long capacity, Meter? meter = null, RequestMemoryReclaimer? reclaimer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _reclaimer = reclaimer;
        if (meter is null)
            return;
        meter.CreateObservableUpDownCounter(HeldInstrument, () => Held, "By",
            "Request bytes held in memory now (bodies, parts and the tensors made from them), against the budget MobileViT__Limits__RequestMemoryBytes.");
        meter.CreateObservableUpDownCounter(CapacityInstrument, () => Capacity, "By",
            "The request memory budget (MobileViT__Limits__RequestMemoryBytes, or derived from the container's memory limit).");
        meter.CreateObservableCounter(RefusalsInstrument, () => Refusals, "{request}",
            "Requests refused because the request memory budget was full (503 with Retry-After, gRPC RESOURCE_EXHAUSTED).");
    }

    /// <summary>A budget nothing exceeds, for readers used without one.</summary>
    public static RequestMemoryBudget Unlimited { get; } = new(long.MaxValue);

    public long Capacity { get; }

    public long Held => Interlocked.Read(ref _held);

    public long Refusals => Interlocked.Read(ref _refusals);

    /// <summary>An empty lease; dispose it to give back whatever it still holds.</summary>
    public RequestMemoryLease Lease() => new(this);

    /// <summary>Takes <paramref name="bytes"/> more for a request that already holds <paramref name="requestHeld"/>, or throws without taking any.</summary>
    internal void Reserve(long bytes, long requestHeld)
    {
        if (bytes > Capacity - requestHeld)
        {
            throw new RequestTooLargeException(
                $"The request needs more than the whole memory budget for requests ({Capacity} bytes, MobileViT__Limits__RequestMemoryBytes) by itself.");
        }
        long held, after;
        do
        {
            held = Interlocked.Read(ref _held);
            after = held + bytes;
            if (after > Capacity)
            {
                Interlocked.Increment(ref _refusals);
                throw new MemoryBudgetExceededException(RetryAfter);
            }
        }
        while (Interlocked.CompareExchange(ref _held, after, held) != held);
        _reclaimer?.OnHeld(after);
    }

    internal void Release(long bytes)
    {
        var after = Interlocked.Add(ref _held, -bytes);
        _reclaimer?.OnReleased(after);
    }
}
