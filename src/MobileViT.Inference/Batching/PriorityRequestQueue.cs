using MobileViT.Inference.Configuration;
using MobileViT.Inference.Serving;

namespace MobileViT.Inference.Batching;

/// <summary>
/// The batcher's queue: one bounded queue per priority, each with its own capacity, in deadline order within a
/// priority (earliest first, arrival order among equal deadlines), so that a request with time to spare waits behind a
/// later one that has none. A free instance takes from the priorities by <see cref="PriorityScheduling"/>: the highest
/// with work waiting, less the shares guaranteed to those below. Admission reserves room with <see cref="Admit"/> before
/// a request's body is read; the request takes its reservation over when it is queued. Readers wait for work with
/// <see cref="WaitToReadAsync"/>; <see cref="Complete"/> refuses further writes and lets readers finish what is
/// queued, like a completed channel.
/// </summary>
internal sealed class PriorityRequestQueue
{
    private readonly object _lock = new();
    private readonly Level[] _levels;
    private readonly double[] _credits;
    private readonly double[] _creditPerImageAbove;
    private TaskCompletionSource? _signal;
    private bool _completed;
    private int _count;

    public PriorityRequestQueue(BatchingOptions options)
    {
        _levels = RequestPriorities.HighestFirst.Select(p => new Level(options.Priority.CapacityOf(p, options.QueueCapacity))).ToArray();
        _credits = new double[_levels.Length];
        _creditPerImageAbove = RequestPriorities.HighestFirst.Select(p => PriorityScheduling.CreditPerImageAbove(options.Priority.GuaranteedShareOf(p))).ToArray();
    }

    /// <summary>Requests queued (reservations not included).</summary>
    public int Count => Volatile.Read(ref _count);

    public int CapacityOf(RequestPriority priority) => _levels[priority.Rank()].Capacity;

    /// <summary>Requests queued at one priority.</summary>
    public int CountOf(RequestPriority priority)
    {
        lock (_lock)
            return _levels[priority.Rank()].Queued.Count;
    }

    /// <summary>Admitted requests of one priority not queued yet.</summary>
    public int ReservedOf(RequestPriority priority)
    {
        lock (_lock)
            return _levels[priority.Rank()].Reserved.Count;
    }

    /// <summary>The priority's queue holds as many requests, queued or reserved, as its capacity.</summary>
    public bool IsFull(RequestPriority priority)
    {
        lock (_lock)
            return _levels[priority.Rank()].IsFull;
    }

    /// <summary>
    /// Runs <paramref name="decide"/> on the admitted work a request of <paramref name="priority"/> due at
    /// <paramref name="deadline"/> would join and, when it says so, holds a reservation for the request in the same step:
    /// concurrent admissions each see the ones before. The reservation is returned, for the request's scope to dispose.
    /// </summary>
    public (T Decision, AdmissionReservation? Reservation) Admit<T>(RequestPriority priority, long deadline,
        Func<QueueSnapshot, (T Decision, bool Reserve, AdmissionPrediction? Prediction)> decide)
    {
        lock (_lock)
        {
            var rank = priority.Rank();
            var level = _levels[rank];
            var waiting = _levels.Select(l => l.Queued.Count + l.Reserved.Count).ToArray();
            var queuedBefore = level.QueuedBefore(deadline);
            var reservedBefore = level.ReservedBefore(deadline);
            var followers = new long[level.Queued.Count - queuedBefore + level.Reserved.Count - reservedBefore];
            var i = 0;
            for (var q = queuedBefore; q < level.Queued.Count; q++)
                followers[i++] = level.Queued[q].DeadlineTimestamp;
            for (var r = reservedBefore; r < level.Reserved.Count; r++)
                followers[i++] = level.Reserved[r].Deadline;
            Array.Sort(followers);
            var snapshot = new QueueSnapshot(waiting, (double[])_credits.Clone(), _creditPerImageAbove, rank, queuedBefore + reservedBefore, followers, level.IsFull);
            var (decision, reserve, prediction) = decide(snapshot);
            if (!reserve)
                return (decision, null);
            var reservation = new AdmissionReservation(this, priority, deadline, prediction);
            level.Reserved.Insert(level.ReservedBefore(deadline), reservation);
            return (decision, reservation);
        }
    }

    /// <summary>
    /// Queues the request in deadline order, taking over the reservation its admission made (one of its priority due at
    /// its deadline: any such is as good). False when its priority's queue is full or the queue is completed.
    /// </summary>
    public bool TryWrite(QueuedRequest request)
    {
        TaskCompletionSource? wake;
        lock (_lock)
        {
            var level = _levels[request.Priority.Rank()];
            if (_completed)
                return false;
            var reservation = level.ReservedBefore(request.DeadlineTimestamp - 1);
            if (reservation < level.Reserved.Count && level.Reserved[reservation].Deadline == request.DeadlineTimestamp)
            {
                request.Prediction = level.Reserved[reservation].Prediction;
                level.Reserved.RemoveAt(reservation);
            }
            else if (level.IsFull)
            {
                return false;
            }
            level.Queued.Insert(level.QueuedBefore(request.DeadlineTimestamp), request);
            _count++;
            wake = _signal;
            _signal = null;
        }
        wake?.TrySetResult();
        return true;
    }

    /// <summary>The request with the earliest deadline of the priority <see cref="PriorityScheduling"/> picks.</summary>
    public bool TryRead(out QueuedRequest request)
    {
        lock (_lock)
        {
            Span<int> waiting = stackalloc int[_levels.Length];
            for (var rank = 0; rank < _levels.Length; rank++)
                waiting[rank] = _levels[rank].Queued.Count;
            var picked = PriorityScheduling.Pick(waiting, _credits);
            if (picked >= 0)
            {
                PriorityScheduling.Took(picked, waiting, _credits, _creditPerImageAbove);
                var queue = _levels[picked].Queued;
                request = queue[0];
                queue.RemoveAt(0);
                _count--;
                return true;
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

    /// <summary>Gives back a reservation whose request ended without being queued; one already taken over is gone.</summary>
    public void Release(AdmissionReservation reservation)
    {
        lock (_lock)
            _levels[reservation.Priority.Rank()].Reserved.Remove(reservation);
    }

    private sealed class Level(int capacity)
    {
        public int Capacity { get; } = capacity;

        /// <summary>By deadline, then arrival.</summary>
        public List<QueuedRequest> Queued { get; } = [];

        /// <summary>By deadline.</summary>
        public List<AdmissionReservation> Reserved { get; } = [];

        public bool IsFull => Queued.Count + Reserved.Count >= Capacity;

        /// <summary>How many queued requests are due at or before <paramref name="deadline"/>: they go first.</summary>
        public int QueuedBefore(long deadline) => UpperBound(Queued, deadline, r => r.DeadlineTimestamp);

        public int ReservedBefore(long deadline) => UpperBound(Reserved, deadline, r => r.Deadline);

        private static int UpperBound<T>(List<T> items, long deadline, Func<T, long> deadlineOf)
        {
            int low = 0, high = items.Count;
            while (low < high)
            {
                var middle = (low + high) / 2;
                if (deadlineOf(items[middle]) <= deadline)
                    low = middle + 1;
                else
                    high = middle;
            }
            return low;
        }
    }
}
