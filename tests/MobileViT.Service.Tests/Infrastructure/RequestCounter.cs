using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Service.Tests.Infrastructure;

/// <summary>
/// Listens to the core's <c>mobilevit.requests</c> counter, as an exporter would, and keeps the count per
/// (model, protocol, outcome). Waiting for a count completes on the measurement itself, not on a poll.
/// </summary>
public sealed class RequestCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Model, string Protocol, string Outcome), long> _counts = new();
    private readonly ConcurrentDictionary<(string Outcome, string Client), long> _byClient = new();

    private readonly ConcurrentDictionary<(string Model, string Priority, string Outcome), long> _byPriority = new();
    private readonly List<(Func<bool> Condition, TaskCompletionSource Signal)> _waiters = [];

    /// <param name="only">When given, only the meters this factory created (one service's), not every service's in the test process.</param>
    public RequestCounter(IMeterFactory? only = null)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == InferenceMetrics.MeterName && instrument.Name == "mobilevit.requests" && (only is null || instrument.Meter.Scope == only))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string model = "", protocol = "", outcome = "", client = "", priority = "";
            foreach (var tag in tags)
            {
                switch (tag.Key)
                {
                    case "model": model = (string)tag.Value!; break;
                    case "protocol": protocol = (string)tag.Value!; break;
                    case "outcome": outcome = (string)tag.Value!; break;
                    case "client": client = (string)tag.Value!; break;
                    case "priority": priority = (string)tag.Value!; break;
                }
            }
            _byPriority.AddOrUpdate((model, priority, outcome), value, (_, c) => c + value);
            _counts.AddOrUpdate((model, protocol, outcome), value, (_, c) => c + value);
            _byClient.AddOrUpdate((outcome, client), value, (_, c) => c + value);
            lock (_waiters)
            {
                foreach (var waiter in _waiters.Where(w => w.Condition()).ToList())
                {
                    waiter.Signal.TrySetResult();
                    _waiters.Remove(waiter);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Requests counted for the model so far, by (protocol, outcome).</summary>
    public IReadOnlyDictionary<(string Protocol, string Outcome), long> For(string model) =>
        _counts.Where(c => c.Key.Model == model).ToDictionary(c => (c.Key.Protocol, c.Key.Outcome), c => c.Value);

    /// <summary>Requests counted so far with this outcome and <c>client</c> label, whatever the model.</summary>
    public long ByClient(string outcome, string client) => _byClient.GetValueOrDefault((outcome, client));

    /// <summary>Requests counted for the model so far with this <c>priority</c> label and outcome.</summary>
    public long Count(string model, string priority, string outcome) => _byPriority.GetValueOrDefault((model, priority, outcome));

    public long Total(string model) => _counts.Where(c => c.Key.Model == model).Sum(c => c.Value);

    /// <summary>Completes once the model's total count reaches <paramref name="total"/>.</summary>
    public Task WaitForTotalAsync(string model, long total, TimeSpan timeout)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            if (Total(model) >= total)
                return Task.CompletedTask;
            _waiters.Add((() => Total(model) >= total, signal));
        }
        return signal.Task.WaitAsync(timeout);
    }

    public void Dispose() => _listener.Dispose();
}
