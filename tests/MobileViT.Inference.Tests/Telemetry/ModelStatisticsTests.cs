using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Tests.Telemetry;

/// <summary>The Triton-style cumulative statistics, fed by the explicit calls the request path makes.</summary>
public sealed class ModelStatisticsTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ModelStatistics _stats = new();

    [Fact]
    public void Requests_batches_and_stage_times_add_up_per_model()
    {
        var m = _stats.For("m");
        m.RecordQueue(TimeSpan.FromMilliseconds(2));
        m.RecordQueue(TimeSpan.FromMilliseconds(3));
        m.RecordComputeInput(TimeSpan.FromMilliseconds(4));
        m.RecordInferBatch(2, TimeSpan.FromMilliseconds(10));
        m.RecordInferBatch(1, TimeSpan.FromMilliseconds(6));
        m.RecordInferBatch(2, TimeSpan.FromMilliseconds(12));
        m.RecordComputeOutput(TimeSpan.FromMilliseconds(1));
        m.RecordRequest(true, TimeSpan.FromMilliseconds(20), Start);
        m.RecordRequest(true, TimeSpan.FromMilliseconds(30), Start.AddSeconds(5));
        m.RecordRequest(false, TimeSpan.FromMilliseconds(1), Start.AddSeconds(5));
        _stats.For("other").RecordRequest(true, TimeSpan.FromMilliseconds(99), Start);

        var s = _stats.Snapshot("M");

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
    public void A_batch_is_never_empty()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _stats.For("m").RecordInferBatch(0, TimeSpan.FromMilliseconds(1)));
    }
}
