using MobileViT.Inference.Configuration;
using MobileViT.Inference.Serving;

namespace MobileViT.Inference.Batching;

/// <summary>
/// The batcher's queue: one bounded FIFO per priority, each with its own capacity, read highest priority first.
/// Readers wait for work with <see cref="WaitToReadAsync"/>; <see cref="Complete"/> refuses further writes and lets
/// readers finish what is queued, like a completed channel.
/// </summary>
internal sealed class PriorityRequestQueue
{
    private readonly object _lock = new();
    private readonly Queue<QueuedRequest>[] _queues;
    private readonly int[] _capacities;
    private TaskCompletionSource? _signal;
    private bool _completed;
    private int _count;

    public PriorityRequestQueue(BatchingOptions options)
    {
        _queues = RequestPriorities.HighestFirst.Select(_ => new Queue<QueuedRequest>()).ToArray();
        _capacities = RequestPriorities.HighestFirst.Select(p => options.Priority.CapacityOf(p, options.QueueCapacity)).ToArray();
    }

    public int Count => Volatile.Read(ref _count);

    public int CapacityOf(RequestPriority priority) => _capacities[priority.Rank()];

    public int CountOf(RequestPriority priority)
    {
        lock (_lock)
            return _queues[priority.Rank()].Count;
    }

    /// <summary>Requests that a new request of this priority would wait behind: those of its priority and above.</summary>
    public int CountAtOrAbove(RequestPriority priority)
    {
        lock (_lock)
        {
            var ahead = 0;
            for (var rank = 0; rank <= priority.Rank(); rank++)
                ahead += _queues[rank].Count;
            return ahead;
        }
    }

    /// <summary>False when the priority's queue is full or the queue is completed.</summary>
    public bool TryWrite(QueuedRequest request, RequestPriority priority)
    {
        TaskCompletionSource? wake;
        lock (_lock)
        {
            var queue = _queues[priority.Rank()];
            if (_completed || queue.Count >= _capacities[priority.Rank()])
                return false;
            queue.Enqueue(request);
            _count++;
            wake = _signal;
            _signal = null;
        }
        wake?.TrySetResult();
        return true;
    }

    /// <summary>The oldest request of the highest non-empty priority.</summary>
    public bool TryRead(out QueuedRequest request)
    {
        lock (_lock)
        {
            foreach (var queue in _queues)
            {
                if (queue.TryDequeue(out request!))
                {
                    _count--;
                    return true;
                }
            }
        }
        request = null!;
        return false;
    }

    /// <summary>Completes with true when something is queued, with false when the queue is completed and empty.</summary>
    public async Task<bool> WaitToReadAsync()
    {
        while (true)
        {
            Task signal;
            lock (_lock)
            {
                if (_count > 0)
                    return true;
                if (_completed)
                    return false;
                signal = (_signal ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
            await signal.ConfigureAwait(false);
        }
    }

    public void Complete()
    {
        TaskCompletionSource? wake;
        lock (_lock)
        {
            _completed = true;
            wake = _signal;
            _signal = null;
        }
        wake?.TrySetResult();
    }
}
