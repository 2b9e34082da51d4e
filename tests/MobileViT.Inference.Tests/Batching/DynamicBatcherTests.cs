using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MobileViT.Inference.Batching;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Tests.Batching;

public sealed class DynamicBatcherTests
{
    private const int SampleLength = 4;

    private static DynamicBatcher Create(BatchingOptions options, params FakeBatchRunner[] runners) => Create(options, null, runners);

    private static DynamicBatcher Create(BatchingOptions options, TimeProvider? time, params FakeBatchRunner[] runners) =>
        Create(options, time, new ModelStatistics(), runners);

    private static DynamicBatcher Create(BatchingOptions options, TimeProvider? time, ModelStatistics statistics, params FakeBatchRunner[] runners) =>
        new("test", options, runners, new InferenceMetrics(), statistics.For("test"), NullLogger.Instance, time);

    private static PixelInput Sample(float marker) => new(new float[] { marker, 1, 1, 1 });

    [Fact]
    public async Task Results_go_to_the_request_that_sent_the_input()
    {
        var runner = new FakeBatchRunner(0, 4, SampleLength);
        await using var batcher = Create(new BatchingOptions { MaxBatchSize = 4 }, runner);

        var tasks = Enumerable.Range(0, 40).Select(i => Task.Run(() => batcher.InferAsync(Sample(i), default, default))).ToArray();
        var results = await Task.WhenAll(tasks);

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(i, results[i].Logits[1]);
            Assert.Equal(i + 3, results[i].Logits[0]);
        }
        Assert.Equal(40, batcher.ImagesRun);
    }

    [Fact]
    public async Task A_busy_instance_lets_the_queue_build_so_the_next_batch_takes_everything_up_to_the_maximum()
    {
        var runner = new FakeBatchRunner(0, 4, SampleLength) { Gate = new SemaphoreSlim(0) };
        await using var batcher = Create(new BatchingOptions { MaxBatchSize = 4 }, runner);

        var first = batcher.InferAsync(Sample(100), default, default);
        Assert.True(await runner.RunStarted.WaitAsync(TimeSpan.FromSeconds(10)));
        var queued = Enumerable.Range(0, 6).Select(i => batcher.InferAsync(Sample(i), default, default)).ToArray();
        Assert.Equal(6, batcher.QueueDepth);

        runner.Gate.Release(3);
        await Task.WhenAll(queued.Append(first));

        Assert.Equal([1, 4, 2], runner.BatchSizes);
        Assert.Equal(4, (await queued[0]).BatchSize);
        Assert.Equal(2, (await queued[5]).BatchSize);
    }

    [Fact]
    public async Task With_a_queue_delay_a_free_instance_waits_for_more_requests()
    {
        var clock = new TimerSignallingClock();
        var runner = new FakeBatchRunner(0, 8, SampleLength);
        await using var batcher = Create(new BatchingOptions { MaxBatchSize = 8, MaxQueueDelayMs = 50 }, clock, runner);

        var first = batcher.InferAsync(Sample(0), default, default);
        // The worker holds the first request and waits, on the fake clock that never moves here, for more.
        await clock.TimerOf(TimeSpan.FromMilliseconds(50)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(runner.BatchSizes);
        var rest = Enumerable.Range(1, 7).Select(i => batcher.InferAsync(Sample(i), default, default)).ToArray();
        var results = await Task.WhenAll(rest.Prepend(first));

        Assert.All(results, r => Assert.Equal(8, r.BatchSize));
        Assert.Equal([8], runner.BatchSizes);
    }

    [Fact]
    public async Task The_queue_delay_is_bounded_from_the_oldest_request()
    {
        var clock = new TimerSignallingClock();
        var runner = new FakeBatchRunner(0, 8, SampleLength);
        await using var batcher = Create(new BatchingOptions { MaxBatchSize = 8, MaxQueueDelayMs = 50 }, clock, runner);

        var pending = batcher.InferAsync(Sample(0), default, default);
        await clock.TimerOf(TimeSpan.FromMilliseconds(50)).WaitAsync(TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromMilliseconds(49));
        Assert.Empty(runner.BatchSizes);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var result = await pending;

        // The batch of one started exactly when the delay ran out, counted from the request's arrival.
        Assert.Equal(1, result.BatchSize);
        Assert.Equal(TimeSpan.FromMilliseconds(50), result.QueueTime);
    }

    [Fact]
    public async Task A_full_queue_refuses_new_requests()
    {
        var runner = new FakeBatchRunner(0, 1, SampleLength) { Gate = new SemaphoreSlim(0) };
        await using var batcher = Create(new BatchingOptions { MaxBatchSize = 1, QueueCapacity = 2 }, runner);

        var running = batcher.InferAsync(Sample(0), default, default);
        Assert.True(await runner.RunStarted.WaitAsync(TimeSpan.FromSeconds(10)));
        var queued = new[] { batcher.InferAsync(Sample(1), default, default), batcher.InferAsync(Sample(2), default, default) };

        await Assert.ThrowsAsync<QueueFullException>(() => batcher.InferAsync(Sample(3), default, default));

        runner.Gate.Release(3);
        await Task.WhenAll(queued.Append(running));
        Assert.Equal([0f, 1f, 2f], runner.SeenMarkers);
    }

    [Fact]
    public async Task A_request_whose_deadline_passes_while_queued_gets_deadline_exceeded_and_never_runs()
    {
        var clock = new FakeTimeProvider();
        var runner = new FakeBatchRunner(0, 1, SampleLength) { Gate = new SemaphoreSlim(0) };
        await using var batcher = Create(new BatchingOptions { MaxBatchSize = 1 }, clock, runner);

        var running = batcher.InferAsync(Sample(0), default, default);
        Assert.True(await runner.RunStarted.WaitAsync(TimeSpan.FromSeconds(10)));
        var doomed = batcher.InferAsync(Sample(42), new InferenceCallOptions(TimeSpan.FromMilliseconds(50)), default);
        clock.Advance(TimeSpan.FromMilliseconds(49));
        Assert.False(doomed.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        await Assert.ThrowsAsync<DeadlineExceededException>(() => doomed);
        runner.Gate.Release(10);
        await running;
        var after = await batcher.InferAsync(Sample(7), default, default);

        Assert.Equal(7, after.Logits[1]);
        Assert.DoesNotContain(42f, runner.SeenMarkers);
        Assert.Equal(2, batcher.ImagesRun);
    }

    [Fact]
    public async Task The_deadline_counts_from_when_the_request_started_so_one_spent_before_queueing_is_never_queued()
    {
        var clock = new FakeTimeProvider();
        var runner = new FakeBatchRunner(0, 1, SampleLength);
        await using var batcher = Create(new BatchingOptions { MaxBatchSize = 1 }, clock, runner);
        var started = clock.GetTimestamp();
        clock.Advance(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAsync<DeadlineExceededException>(() => batcher.InferAsync(Sample(1), new InferenceCallOptions(TimeSpan.FromMilliseconds(100), started), default));

        Assert.Equal(0, batcher.QueueDepth);
        Assert.Empty(runner.SeenMarkers);
    }

    [Fact]
    public async Task A_request_cancelled_while_queued_is_never_run()
    {
        var runner = new FakeBatchRunner(0, 1, SampleLength) { Gate = new SemaphoreSlim(0) };
        await using var batcher = Create(new BatchingOptions { MaxBatchSize = 1 }, runner);

        var running = batcher.InferAsync(Sample(0), default, default);
        Assert.True(await runner.RunStarted.WaitAsync(TimeSpan.FromSeconds(10)));
        using var cancel = new CancellationTokenSource();
        var cancelled = batcher.InferAsync(Sample(42), default, cancel.Token);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        runner.Gate.Release(10);
        await running;
        await batcher.InferAsync(Sample(7), default, default);

        Assert.DoesNotContain(42f, runner.SeenMarkers);
        Assert.Equal([0f, 7f], runner.SeenMarkers);
    }

    [Fact]
    public async Task A_failing_batch_fails_only_its_own_requests_and_the_batcher_keeps_serving()
    {
        var runner = new FakeBatchRunner(0, 4, SampleLength) { Gate = new SemaphoreSlim(0) };
        await using var batcher = Create(new BatchingOptions { MaxBatchSize = 4 }, runner);

        var blocker = batcher.InferAsync(Sample(0), default, default);
        Assert.True(await runner.RunStarted.WaitAsync(TimeSpan.FromSeconds(10)));
        var poisonedBatch = new[] { batcher.InferAsync(Sample(1), default, default), batcher.InferAsync(Sample(float.NaN), default, default) };
        runner.Gate.Release(2);
        await blocker;
        foreach (var task in poisonedBatch)
            await Assert.ThrowsAsync<InferenceFailedException>(() => task);

        runner.Gate.Release(100);
        var healthy = await Task.WhenAll(Enumerable.Range(10, 5).Select(i => batcher.InferAsync(Sample(i), default, default)));
        Assert.Equal(Enumerable.Range(10, 5).Select(i => (float)i), healthy.Select(r => r.Logits[1]));
    }

    [Fact]
    public async Task Several_instances_run_batches_concurrently()
    {
        var gate = new SemaphoreSlim(0);
        var started = new SemaphoreSlim(0);
        var a = new FakeBatchRunner(0, 2, SampleLength) { Gate = gate, RunStarted = started };
        var b = new FakeBatchRunner(1, 2, SampleLength) { Gate = gate, RunStarted = started };
        await using var batcher = Create(new BatchingOptions { MaxBatchSize = 2 }, a, b);

        var first = batcher.InferAsync(Sample(1), default, default);
        Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(10)));
        var second = batcher.InferAsync(Sample(2), default, default);
        // The second request starts on the other instance while the first run is still held at the gate.
        Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, batcher.BatchesInFlight);

        gate.Release(2);
        var results = await Task.WhenAll(first, second);
        Assert.Equal(new[] { 0, 1 }, results.Select(r => r.Instance).Order());
    }

    [Fact]
    public async Task Draining_refuses_new_requests_and_finishes_admitted_ones()
    {
        var runner = new FakeBatchRunner(0, 1, SampleLength) { Gate = new SemaphoreSlim(0) };
        var batcher = Create(new BatchingOptions { MaxBatchSize = 1 }, runner);

        var admitted = Enumerable.Range(0, 3).Select(i => batcher.InferAsync(Sample(i), default, default)).ToArray();
        Assert.True(await runner.RunStarted.WaitAsync(TimeSpan.FromSeconds(10)));
        var drained = batcher.DrainAsync();

        await Assert.ThrowsAsync<ModelUnavailableException>(() => batcher.InferAsync(Sample(9), default, default));
        Assert.False(drained.IsCompleted);
        runner.Gate.Release(3);
        await drained;

        // The requests' own tasks finish on continuations that may still be queued when the drain completes.
        await Task.WhenAll(admitted).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(admitted, t => Assert.True(t.IsCompletedSuccessfully));
        await batcher.DisposeAsync();
    }

    [Fact]
    public async Task Each_batch_is_recorded_in_the_statistics_with_its_own_size_and_session_time()
    {
        var clock = new FakeTimeProvider();
        var statistics = new ModelStatistics();
        var runner = new FakeBatchRunner(0, 4, SampleLength) { Gate = new SemaphoreSlim(0) };
        await using var batcher = Create(new BatchingOptions { MaxBatchSize = 4 }, clock, statistics, runner);

        // A batch of one that runs for 30 ms of the fake clock, while three more requests queue behind it.
        var first = batcher.InferAsync(Sample(0), new InferenceCallOptions(TimeSpan.FromDays(1)), default);
        Assert.True(await runner.RunStarted.WaitAsync(TimeSpan.FromSeconds(10)));
        var queued = Enumerable.Range(1, 3).Select(i => batcher.InferAsync(Sample(i), new InferenceCallOptions(TimeSpan.FromDays(1)), default)).ToArray();
        clock.Advance(TimeSpan.FromMilliseconds(30));
        runner.Gate.Release();
        await first;
        // Then the three together, for 70 ms.
        Assert.True(await runner.RunStarted.WaitAsync(TimeSpan.FromSeconds(10)));
        clock.Advance(TimeSpan.FromMilliseconds(70));
        runner.Gate.Release();
        await Task.WhenAll(queued);

        var s = statistics.Snapshot("test");
        Assert.Equal((4, 2), (s.InferenceCount, s.ExecutionCount));
        Assert.Equal([new BatchSizeStatistics(1, new DurationStat(1, 30_000_000)), new BatchSizeStatistics(3, new DurationStat(1, 70_000_000))], s.Batches);
        // Each of the three waited while the first batch ran.
        Assert.Equal(new DurationStat(4, 90_000_000), s.Queue);
    }
}
