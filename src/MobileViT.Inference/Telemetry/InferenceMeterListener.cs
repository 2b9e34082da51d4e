using System.Diagnostics.Metrics;

namespace MobileViT.Inference.Telemetry;

/// <summary>
/// A <see cref="MeterListener"/> over some instruments of one <see cref="InferenceMetrics"/> meter, for in-process
/// views of the same figures the metrics export (the live page, the Triton statistics).
/// </summary>
internal sealed class InferenceMeterListener : IDisposable
{
    private readonly MeterListener _listener = new();

    public InferenceMeterListener(InferenceMetrics metrics, IReadOnlySet<string> instruments,
        MeasurementCallback<long>? onLong = null, MeasurementCallback<double>? onDouble = null, MeasurementCallback<int>? onInt = null)
    {
        var meter = metrics.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only this service's meter: tests run several services in one process, each with a meter of this name.
            if (ReferenceEquals(instrument.Meter, meter) && instruments.Contains(instrument.Name))
                listener.EnableMeasurementEvents(instrument);
        };
        if (onLong is not null)
            _listener.SetMeasurementEventCallback(onLong);
        if (onDouble is not null)
            _listener.SetMeasurementEventCallback(onDouble);
        if (onInt is not null)
            _listener.SetMeasurementEventCallback(onInt);
        _listener.Start();
    }

    /// <summary>Collects the observable instruments (gauges) now.</summary>
    public void RecordObservableInstruments() => _listener.RecordObservableInstruments();

    public static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
                return tag.Value as string;
        }
        return null;
    }

    public void Dispose() => _listener.Dispose();
}
