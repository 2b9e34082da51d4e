using MobileViT.Inference.Classification;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Models.Shadow;

/// <summary>The running comparison of one (default version, shadow version) pair of a model; safe to use from any thread.</summary>
internal sealed class ShadowAgreement(string model, int version, int shadowVersion)
{
    public const int TopK = 5;

    private readonly Lock _lock = new();
    private readonly LatencyHistogram _latency = new();
    private long _compared;
    private long _top1Agreements;
    private long _top5Shared;
    private double _absDeltaSum;
    private long _dropped;
    private long _failed;

    public string Model { get; } = model;
    public int Version { get; } = version;
    public int ShadowVersion { get; } = shadowVersion;

    /// <summary>Compares one sample's logits from the default version with the shadow's.</summary>
    public void Record(ReadOnlySpan<float> primary, ReadOnlySpan<float> shadow, TimeSpan shadowLatency)
    {
        var top1 = TopValues.Indices(primary, 1)[0] == TopValues.Indices(shadow, 1)[0];
        var shared = TopValues.Indices(primary, TopK).Intersect(TopValues.Indices(shadow, TopK)).Count();
        var sum = 0.0;
        var length = Math.Min(primary.Length, shadow.Length);
        for (var i = 0; i < length; i++)
            sum += Math.Abs((double)shadow[i] - primary[i]);
        lock (_lock)
        {
            _compared++;
            if (top1)
                _top1Agreements++;
            _top5Shared += shared;
            _absDeltaSum += length == 0 ? 0 : sum / length;
            _latency.Record(shadowLatency.TotalMilliseconds);
        }
    }

    public void RecordDropped(int samples) => Interlocked.Add(ref _dropped, samples);

    public void RecordFailed() => Interlocked.Increment(ref _failed);

    public ShadowAgreementSnapshot Snapshot(double sample)
    {
        lock (_lock)
        {
            double? Ratio(double value) => _compared == 0 ? null : value / _compared;
            return new ShadowAgreementSnapshot(Model, Version, ShadowVersion, sample, _compared, Interlocked.Read(ref _dropped), Interlocked.Read(ref _failed),
                Ratio(_top1Agreements), Ratio(_top5Shared / (double)TopK), Ratio(_absDeltaSum), _latency.Percentile(0.5), _latency.Percentile(0.99));
        }
    }
}
