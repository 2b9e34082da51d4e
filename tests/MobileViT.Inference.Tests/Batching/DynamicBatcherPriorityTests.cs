using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MobileViT.Inference.Batching;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Serving;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Tests.Batching;

/// <summary>The batcher's per-priority queues and the drain rate it measures from its own batches.</summary>
public sealed class DynamicBatcherPriorityTests
{
    private const int SampleLength = 4;

    private static DynamicBatcher Create(BatchingOptions options, TimeProvider? time, FakeBatchRunner runner) =>
        new("test", options, [runner], new InferenceMetrics(), new ModelStatistics().For("test"), NullLogger.Instance, time);

    private static PixelInput Sample(float marker) => new(new float[] { marker, 1, 1, 1 });

    private static InferenceCallOptions At(RequestPriority priority) => new(Priority: priority);

    [Fact]
    public async Task Workers_take_the_highest_priority_first_and_each_priority_in_arrival_order()
    {
        var runner = new FakeBatchRunner(0, 1, SampleLength) { Gate = new SemaphoreSlim(0) };
        await using var batcher = Create(new BatchingOptions { MaxBatchSize = 1 }, null, runner);

        var running = batcher.InferAsync(Sample(0), default, default);
        Assert.True(await runner.RunStarted.WaitAsync(TimeSpan.FromSeconds(10)));
        var queued = new[]
        {
            batcher.InferAsync(Sample(1), At(RequestPriority.Low), default),
            batcher.InferAsync(Sample(2), At(RequestPriority.Normal), default),
            batcher.InferAsync(Sample(3), At(RequestPriority.High), default),
            batcher.InferAsync(Sample(4), At(RequestPriority.Normal), default),
            batcher.InferAsync(Sample(5), At(RequestPriority.High), default),
        };
        runner.Gate.Release(10);
        await Task.WhenAll(queued.Append(running));

        Assert.Equal([0f, 3f, 5f, 2f, 4f, 1f], runner.SeenMarkers);
    }

    [Fact]
    public async Task Each_priority_has_its_own_share_of_the_capacity_so_a_full_normal_queue_still_takes_high()
    {
        var runner = new FakeBatchRunner(0, 1, SampleLength) { Gate = new SemaphoreSlim(0) };
        var options = new BatchingOptions { MaxBatchSize = 1, QueueCapacity = 4, Priority = { HighShare = 0.5, NormalShare = 1, LowShare = 0.25 } };
        await using var batcher = Create(options, null, runner);
        var running = batcher.InferAsync(Sample(0), default, default);
        Assert.True(await runner.RunStarted.WaitAsync(TimeSpan.FromSeconds(10)));

        var normal = Enumerable.Range(1, 4).Select(i => batcher.InferAsync(Sample(i), default, default)).ToList();
        await Assert.ThrowsAsync<QueueFullException>(() => batcher.InferAsync(Sample(9), default, default));
        var high = Enumerable.Range(10, 2).Select(i => batcher.InferAsync(Sample(i), At(RequestPriority.High), default)).ToList();
        await Assert.ThrowsAsync<QueueFullException>(() => batcher.InferAsync(Sample(12), At(RequestPriority.High), default));
        var low = batcher.InferAsync(Sample(20), At(RequestPriority.Low), default);
        await Assert.ThrowsAsync<QueueFullException>(() => batcher.InferAsync(Sample(21), At(RequestPriority.Low), default));

        Assert.Equal((4, 2, 1), (batcher.QueueDepthOf(RequestPriority.Normal), batcher.QueueDepthOf(RequestPriority.High), batcher.QueueDepthOf(RequestPriority.Low)));
        Assert.True(batcher.IsFull(RequestPriority.Normal));
        runner.Gate.Release(10);
        await Task.WhenAll(normal.Concat(high).Append(low).Append(running));
        Assert.Equal([0f, 10f, 11f, 1f, 2f, 3f, 4f, 20f], runner.SeenMarkers);
    }

    [Fact]
    public async Task Within_a_priority_the_earliest_deadline_goes_first_and_equal_deadlines_in_arrival_order()
    {
        var runner = new FakeBatchRunner(0, 1, SampleLength) { Gate = new SemaphoreSlim(0) };
        var clock = new FakeTimeProvider();
        await using var batcher = Create(new BatchingOptions { MaxBatchSize = 1 }, clock, runner);
        var running = batcher.InferAsync(Sample(0), default, default);
        Assert.True(await runner.RunStarted.WaitAsync(TimeSpan.FromSeconds(10)));

        var queued = new[] { (1, 10), (2, 2), (3, 5), (4, 2) }
            .Select(r => batcher.InferAsync(Sample(r.Item1), new InferenceCallOptions(TimeSpan.FromSeconds(r.Item2)), default))
            .ToList();
        runner.Gate.Release(10);
        await Task.WhenAll(queued.Append(running));

        Assert.Equal([0f, 2f, 4f, 3f, 1f], runner.SeenMarkers);
    }

    [Fact]
    public async Task A_backlog_of_high_priority_cannot_starve_normal_which_gets_its_guaranteed_share()
    {
        var runner = new FakeBatchRunner(0, 1, SampleLength) { Gate = new SemaphoreSlim(0) };
        await using var batcher = Create(new BatchingOptions { MaxBatchSize = 1, Priority = { NormalGuaranteedShare = 0.1 } }, null, runner);
        var running = batcher.InferAsync(Sample(-1), default, default);
        Assert.True(await runner.RunStarted.WaitAsync(TimeSpan.FromSeconds(10)));

        var high = Enumerable.Range(100, 40).Select(i => batcher.InferAsync(Sample(i), At(RequestPriority.High), default)).ToList();
        var normal = Enumerable.Range(0, 3).Select(i => batcher.InferAsync(Sample(i), default, default)).ToList();
        runner.Gate.Release(100);
        await Task.WhenAll(high.Concat(normal).Append(running));

        // One normal image in about every ten, instead of all three after the 40 high ones.
        var order = runner.SeenMarkers.Skip(1).ToList();
        Assert.InRange(order.IndexOf(0), 9, 10);
        Assert.InRange(order.IndexOf(1), 19, 21);
        Assert.InRange(order.IndexOf(2), 29, 32);
    }

    [Fact]
    public async Task The_drain_rate_comes_from_the_batches_and_the_predicted_wait_counts_the_running_batch_and_the_queue_at_and_above_a_priority()
    {
        var clock = new FakeTimeProvider();
        var runner = new FakeBatchRunner(0, 1, SampleLength) { Gate = new SemaphoreSlim(0) };
        await using var batcher = Create(new BatchingOptions { MaxBatchSize = 1 }, clock, runner);
        Assert.Null(batcher.DrainRate);

        // One batch that keeps the instance busy for 100 ms of the fake clock: 10 images/s.
        var first = batcher.InferAsync(Sample(0), new InferenceCallOptions(TimeSpan.FromDays(1)), default);
        Assert.True(await runner.RunStarted.WaitAsync(TimeSpan.FromSeconds(10)));
        clock.Advance(TimeSpan.FromMilliseconds(100));
        runner.Gate.Release();
        await first;
        Assert.Equal(10, batcher.DrainRate!.Value.ImagesPerSecond, 6);

        var running = batcher.InferAsync(Sample(1), new InferenceCallOptions(TimeSpan.FromDays(1)), default);
        Assert.True(await runner.RunStarted.WaitAsync(TimeSpan.FromSeconds(10)));
        var queued = new[]
        {
            batcher.InferAsync(Sample(2), new InferenceCallOptions(TimeSpan.FromDays(1)), default),
            batcher.InferAsync(Sample(3), new InferenceCallOptions(TimeSpan.FromDays(1)), default),
            batcher.InferAsync(Sample(4), new InferenceCallOptions(TimeSpan.FromDays(1), Priority: RequestPriority.High), default),
        };

        // The running batch has 100 ms to go; then the queue by priority, 100 ms an image.
        var day = TimeSpan.FromDays(1);
        Assert.Equal(TimeSpan.FromMilliseconds(200), batcher.PredictWait(RequestPriority.High, day)!.Value.Start);
        Assert.Equal(TimeSpan.FromMilliseconds(400), batcher.PredictWait(RequestPriority.Normal, day)!.Value.Start);
        Assert.Equal(TimeSpan.FromMilliseconds(500), batcher.PredictWait(RequestPriority.Normal, day)!.Value.Finish);
        Assert.Equal(TimeSpan.FromMilliseconds(400), batcher.PredictWait(RequestPriority.Low, day)!.Value.Start);
        Assert.True(batcher.PredictWait(RequestPriority.Low, day)!.Value.Ahead);
        runner.Gate.Release(10);
        await Task.WhenAll(queued.Append(running));
        // Nothing queued ahead: nothing to say against admitting, whatever the rate.
        Assert.False(batcher.PredictWait(RequestPriority.Low, day)!.Value.Ahead);
    }
}
