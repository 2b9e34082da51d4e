namespace MobileViT.Inference.Models;

/// <summary>
/// Counts the requests admitted to one loaded version and not yet finished, so that a version taken out of service is
/// drained only once the last of them has returned: a request that read the old route just before the switch either
/// holds a lease (and runs there) or fails to take one and reads the route again. Never refused for capacity.
/// </summary>
internal sealed class RequestLeases
{
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _held;
    private int _retired;

    public int Held => Volatile.Read(ref _held);

    /// <summary>Takes a lease; false once <see cref="RetireAsync"/> has been called.</summary>
    public bool TryAcquire()
    {
        Interlocked.Increment(ref _held);
        if (Volatile.Read(ref _retired) == 0)
            return true;
        Release();
        return false;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _held) == 0 && Volatile.Read(ref _retired) != 0)
            _idle.TrySetResult();
    }

    /// <summary>No new leases from now on; completes when every lease taken before has been released.</summary>
    public Task RetireAsync()
    {
        // Both sides write, then read the other's variable with full fences: either the acquirer sees the retirement,
        // or this sees its lease.
        Interlocked.Exchange(ref _retired, 1);
        if (Volatile.Read(ref _held) == 0)
            _idle.TrySetResult();
        return _idle.Task;
    }
}
