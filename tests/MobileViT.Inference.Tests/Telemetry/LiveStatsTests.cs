using Microsoft.Extensions.Time.Testing;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Tests.Telemetry;

public sealed class LiveStatsTests : IDisposable
{
    private const string Model = "m";
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly InferenceMetrics _metrics = new();
    private readonly LiveStats _stats;

    public LiveStatsTests() => _stats = new LiveStats(_metrics, _time);

    private ModelLiveStats Snapshot(string model = Model) => _stats.Snapshot([model])[model];

    private void Requests(int count, string outcome = "success", double milliseconds = 10, string model = Model)
    {
        for (var i = 0; i < count; i++)
            _metrics.RecordRequest(model, "http", outcome, TimeSpan.FromMilliseconds(milliseconds));
    }

    [Fact]
    public void Requests_per_second_counts_the_last_five_seconds_including_the_current_one()
    {
        _time.Advance(TimeSpan.FromSeconds(100));
        Requests(10);
        _time.Advance(TimeSpan.FromSeconds(2));
        Requests(10);
        _time.Advance(TimeSpan.FromSeconds(2.5));

        // Seconds 100..104 are in the window, which spans 4.5 s at t=104.5.
        Assert.Equal(20 / 4.5, Snapshot().RequestsPerSecond, 6);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10 / 4.5, Snapshot().RequestsPerSecond, 6);

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, Snapshot().RequestsPerSecond);
    }

    [Fact]
    public void Right_after_startup_the_rate_is_over_the_time_since_start()
    {
        _time.Advance(TimeSpan.FromSeconds(2));
        Requests(10);

        Assert.Equal(5, Snapshot().RequestsPerSecond, 6);
    }

    [Fact]
    public void Latency_percentiles_are_over_the_successful_requests_of_the_last_minute()
    {
        _time.Advance(TimeSpan.FromSeconds(100));
        Requests(98, milliseconds: 10);
        Requests(2, milliseconds: 1000);
        Requests(50, outcome: "failed", milliseconds: 5000);

        var stats = Snapshot();
        Assert.InRange(stats.LatencyP50Ms!.Value, 9.8, 10.2);
        Assert.InRange(stats.LatencyP99Ms!.Value, 980, 1020);

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.NotNull(Snapshot().LatencyP50Ms);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(Snapshot().LatencyP50Ms);
        Assert.Null(Snapshot().LatencyP99Ms);
    }

    [Fact]
    public void Mean_batch_size_is_images_per_batch_over_the_last_minute()
    {
        _time.Advance(TimeSpan.FromSeconds(100));
        Assert.Null(Snapshot().MeanBatchSize);
        for (var i = 0; i < 3; i++)
            _metrics.RecordBatch(Model, "CPU", 2, TimeSpan.FromMilliseconds(5));
        _time.Advance(TimeSpan.FromSeconds(30));
        _metrics.RecordBatch(Model, "CPU", 4, TimeSpan.FromMilliseconds(5));

        Assert.Equal(2.5, Snapshot().MeanBatchSize);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(4, Snapshot().MeanBatchSize);
    }

    [Fact]
    public void Queue_depth_is_read_from_the_observable_gauge_at_each_snapshot()
    {
        var depth = 7;
        _metrics.RegisterQueue(Model, () => depth, () => 0);

        Assert.Equal(7, Snapshot().QueueDepth);
        depth = 0;
        Assert.Equal(0, Snapshot().QueueDepth);
    }

    [Fact]
    public void History_has_the_requests_of_each_of_the_last_sixty_whole_seconds_oldest_first()
    {
        _time.Advance(TimeSpan.FromSeconds(100));
        Requests(3);
        _time.Advance(TimeSpan.FromSeconds(2));
        Requests(5);
        _time.Advance(TimeSpan.FromSeconds(3.2));
        Requests(9); // the current second, not yet whole

        var history = Snapshot().RequestsPerSecondHistory;
        Assert.Equal(LiveStats.HistorySeconds, history.Count);
        Assert.Equal(3, history[^5]);
        Assert.Equal(5, history[^3]);
        Assert.Equal(8, history.Sum());
    }

    [Fact]
    public void Totals_count_every_outcome_per_model_and_only_this_services_meter()
    {
        using var otherService = new InferenceMetrics();
        otherService.RecordRequest(Model, "http", "success", TimeSpan.FromMilliseconds(1));
        Requests(4);
        Requests(2, outcome: "bad_input");
        Requests(1, model: "other");

        var stats = _stats.Snapshot([Model, "other", "idle"]);
        Assert.Equal(6, stats[Model].TotalRequests);
        Assert.Equal(4, stats[Model].SuccessfulRequests);
        Assert.Equal(1, stats["other"].TotalRequests);
        Assert.Equal(0, stats["idle"].TotalRequests);
        Assert.Equal(0, stats["idle"].RequestsPerSecond);
    }

    [Fact]
    public void Totals_outlive_the_one_minute_window()
    {
        Requests(3);
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(3, Snapshot().TotalRequests);
        Assert.All(Snapshot().RequestsPerSecondHistory, count => Assert.Equal(0, count));
    }

    public void Dispose()
    {
        _stats.Dispose();
        _metrics.Dispose();
    }
}
