using Microsoft.Extensions.Time.Testing;

namespace MobileViT.Inference.Tests.Batching;

/// <summary>
/// A fake clock that tells a test when code under test starts a timer of a given length: an explicit point at which
/// to check what has (not) happened and to move time, instead of a sleep.
/// </summary>
internal sealed class TimerSignallingClock : FakeTimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<(TimeSpan DueTime, TaskCompletionSource Signal)> _waiting = [];
    private readonly List<TimeSpan> _started = [];

    /// <summary>Completes once a timer due after exactly <paramref name="dueTime"/> has been created (at once if one already has).</summary>
    public Task TimerOf(TimeSpan dueTime)
    {
        lock (_lock)
        {
            if (_started.Contains(dueTime))
                return Task.CompletedTask;
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add((dueTime, signal));
            return signal.Task;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_lock)
        {
            _started.Add(dueTime);
            foreach (var waiter in _waiting.Where(w => w.DueTime == dueTime).ToList())
            {
                waiter.Signal.TrySetResult();
                _waiting.Remove(waiter);
            }
        }
        return timer;
    }
}
