using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MobileViT.Inference.Batching;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Serving;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Tests.Batching;

/// <summary>
/// A batcher on a fake clock whose instances are <see cref="FakeBatchRunner"/>s held at their gates: each batch takes
/// exactly the time a test gives it (<see cref="StepAsync"/>), so the drain rate, the batch times and every prediction
/// are known.
/// </summary>
internal sealed class SteppedModel : IAsyncDisposable
{
    private const int SampleLength = 4;

    private readonly SemaphoreSlim _started = new(0);
    private readonly int[] _released;

    public SteppedModel(BatchingOptions options, int instances)
    {
        Runners = Enumerable.Range(0, instances)
            .Select(i => new FakeBatchRunner(i, options.MaxBatchSize ?? 1, SampleLength) { Gate = new SemaphoreSlim(0), RunStarted = _started })
            .ToArray();
        _released = new int[instances];
        Batcher = new DynamicBatcher("test", options, Runners, new InferenceMetrics(), new ModelStatistics().For("test"), NullLogger.Instance, Clock);
    }

    public FakeTimeProvider Clock { get; } = new();

    public FakeBatchRunner[] Runners { get; }

    public DynamicBatcher Batcher { get; }

    public static PixelInput Sample(float marker = 0) => new(new float[] { marker, 1, 1, 1 });

    /// <summary>Admits a request that arrives now, due <paramref name="timeout"/> later.</summary>
    public AdmissionDecision Admit(TimeSpan timeout, RequestPriority priority = RequestPriority.Normal) =>
        Batcher.Admit(priority, Clock.GetTimestamp(), timeout);

    /// <summary>Queues a request that arrived at <paramref name="arrived"/>, due <paramref name="timeout"/> later.</summary>
    public Task<InferenceResult> Queue(long arrived, TimeSpan timeout, RequestPriority priority = RequestPriority.Normal, float marker = 0) =>
        Batcher.InferAsync(Sample(marker), new InferenceCallOptions(timeout, arrived, priority), CancellationToken.None);

    /// <summary>
    /// Occupies every instance with a batch of one, so that what is queued next is taken in full batches once
    /// <see cref="ReleaseHeld"/> lets them go (without moving the clock: no time is measured for them).
    /// </summary>
    public async Task<Task[]> HoldAsync()
    {
        var held = new Task[Runners.Length];
        for (var i = 0; i < Runners.Length; i++)
        {
            held[i] = Queue(Clock.GetTimestamp(), TimeSpan.FromDays(1));
            Assert.True(await _started.WaitAsync(TimeSpan.FromSeconds(10)), "an instance starting");
        }
        return held;
    }

    public async Task ReleaseHeld(Task[] held)
    {
        ReleaseStarted();
        await Task.WhenAll(held);
    }

    /// <summary>
    /// Waits until <paramref name="instances"/> instances have started a batch, then lets them finish it
    /// <paramref name="duration"/> later on the clock.
    /// </summary>
    public async Task StepAsync(TimeSpan duration, int instances = 1)
    {
        for (var i = 0; i < instances; i++)
            Assert.True(await _started.WaitAsync(TimeSpan.FromSeconds(10)), "an instance starting its batch");
        Clock.Advance(duration);
        ReleaseStarted();
    }

    /// <summary>Lets every instance waiting at its gate go: those that started more batches than were let go.</summary>
    private void ReleaseStarted()
    {
        for (var i = 0; i < Runners.Length; i++)
        {
            if (Runners[i].BatchSizes.Count > _released[i])
            {
                _released[i]++;
                Runners[i].Gate!.Release();
            }
        }
    }

    /// <summary>Runs <paramref name="batches"/> full batches of <paramref name="duration"/> on every instance: the batch time becomes exactly that.</summary>
    public async Task TeachAsync(TimeSpan duration, int batches = 2)
    {
        var maxBatch = Runners[0].MaxBatchSize;
        var held = await HoldAsync();
        var queued = Enumerable.Range(0, batches * Runners.Length * maxBatch).Select(_ => Queue(Clock.GetTimestamp(), TimeSpan.FromDays(1))).ToArray();
        await ReleaseHeld(held);
        for (var i = 0; i < batches; i++)
            await StepAsync(duration, Runners.Length);
        await Task.WhenAll(queued);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var runner in Runners)
            runner.Gate!.Release(1000);
        await Batcher.DisposeAsync();
    }
}
