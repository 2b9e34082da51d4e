using Microsoft.Extensions.Time.Testing;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Tests.Telemetry;

/// <summary>The Triton-style cumulative statistics, fed only through <see cref="InferenceMetrics"/> as the request path feeds it.</summary>
public sealed class ModelStatisticsTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly InferenceMetrics _metrics = new();
    private readonly ModelStatistics _stats;

    public ModelStatisticsTests() => _stats = new ModelStatistics(_metrics, _time);

    [Fact]
    public void Requests_batches_and_stage_times_add_up_per_model()
    {
        _time.Advance(TimeSpan.FromSeconds(5));
        _metrics.RecordQueueWait("m", MobileViT.Inference.Serving.RequestPriority.Normal, TimeSpan.FromMilliseconds(2));
        _metrics.RecordQueueWait("m", MobileViT.Inference.Serving.RequestPriority.Normal, TimeSpan.FromMilliseconds(3));
        _metrics.RecordPreprocess("m", TimeSpan.FromMilliseconds(4));
        _metrics.RecordBatch("m", "CPU", 2, TimeSpan.FromMilliseconds(10));
        _metrics.RecordBatch("m", "CPU", 1, TimeSpan.FromMilliseconds(6));
        _metrics.RecordBatch("m", "CPU", 2, TimeSpan.FromMilliseconds(12));
        _metrics.RecordOutput("m", TimeSpan.FromMilliseconds(1));
        _metrics.RecordRequest("m", "http", "success", TimeSpan.FromMilliseconds(20));
        _metrics.RecordRequest("m", "grpc", "success", TimeSpan.FromMilliseconds(30));
        _metrics.RecordRequest("m", "http", "bad_input", TimeSpan.FromMilliseconds(1));
        _metrics.RecordRequest("other", "http", "success", TimeSpan.FromMilliseconds(99));

        var s = _stats.Snapshot("m");

        Assert.Equal(Start.AddSeconds(5), s.LastInference);
        Assert.Equal((5, 3), (s.InferenceCount, s.ExecutionCount));
        Assert.Equal(new DurationStat(2, 50_000_000), s.Success);
        Assert.Equal(new DurationStat(1, 1_000_000), s.Fail);
        Assert.Equal(new DurationStat(2, 5_000_000), s.Queue);
        Assert.Equal(new DurationStat(1, 4_000_000), s.ComputeInput);
        Assert.Equal(new DurationStat(3, 28_000_000), s.ComputeInfer);
        Assert.Equal(new DurationStat(1, 1_000_000), s.ComputeOutput);
        Assert.Equal([new BatchSizeStatistics(1, new DurationStat(1, 6_000_000)), new BatchSizeStatistics(2, new DurationStat(2, 22_000_000))], s.Batches);
        Assert.Equal(new DurationStat(1, 99_000_000), _stats.Snapshot("other").Success);
    }

    [Fact]
    public void A_model_without_traffic_has_zeros_and_no_last_inference()
    {
        var s = _stats.Snapshot("idle");

        Assert.Null(s.LastInference);
        Assert.Equal((0, 0), (s.InferenceCount, s.ExecutionCount));
        Assert.Empty(s.Batches);
    }

    [Fact]
    public void Another_service_meter_in_the_same_process_is_not_counted()
    {
        using var other = new InferenceMetrics();
        other.RecordBatch("m", "CPU", 4, TimeSpan.FromMilliseconds(1));
        other.RecordRequest("m", "http", "success", TimeSpan.FromMilliseconds(1));

        Assert.Equal(0, _stats.Snapshot("m").ExecutionCount);
        Assert.Equal(0, _stats.Snapshot("m").Success.Count);
    }

    public void Dispose()
    {
        _stats.Dispose();
        _metrics.Dispose();
    }
}
