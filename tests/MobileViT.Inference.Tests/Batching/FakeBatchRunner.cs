using MobileViT.Inference.Runtime;

namespace MobileViT.Inference.Tests.Batching;

/// <summary>
/// A runner whose "model" sums each sample into output[0] and echoes its first value into output[1], so tests can see
/// which request got which result. A sample whose first value is NaN makes the whole run throw. Runs can be held at
/// a gate so tests control exactly when a batch finishes.
/// </summary>
internal sealed class FakeBatchRunner(int id, int maxBatchSize, int sampleLength) : IBatchRunner
{
    private readonly float[] _input = new float[maxBatchSize * sampleLength];
    private readonly float[] _output = new float[maxBatchSize * 2];
    private readonly List<int> _batchSizes = [];

    public int Id { get; } = id;
    public string ExecutionProvider => "FAKE";
    public int MaxBatchSize { get; } = maxBatchSize;

    /// <summary>When set, each run waits until the gate is released.</summary>
    public SemaphoreSlim? Gate { get; set; }

    /// <summary>Signalled as each run starts (before waiting at the gate).</summary>
    public SemaphoreSlim RunStarted { get; init; } = new(0);

    public IReadOnlyList<int> BatchSizes
    {
        get { lock (_batchSizes) return _batchSizes.ToArray(); }
    }

    public List<float> SeenMarkers { get; } = [];

    public Span<float> InputSlot(int index) => _input.AsSpan(index * sampleLength, sampleLength);

    public ReadOnlySpan<float> OutputSlot(int index) => _output.AsSpan(index * 2, 2);

    public void Run(int batchSize)
    {
        lock (_batchSizes)
        {
            _batchSizes.Add(batchSize);
            for (var i = 0; i < batchSize; i++)
                SeenMarkers.Add(_input[i * sampleLength]);
        }
        RunStarted.Release();
        if (Gate is not null && !Gate.Wait(TimeSpan.FromSeconds(30)))
            throw new TimeoutException("The test never released the run's gate.");
        for (var i = 0; i < batchSize; i++)
        {
            var sample = InputSlot(i);
            if (float.IsNaN(sample[0]))
                throw new InvalidOperationException("poisoned sample");
            var sum = 0f;
            foreach (var v in sample)
                sum += v;
            _output[i * 2] = sum;
            _output[i * 2 + 1] = sample[0];
        }
    }

    public void Dispose()
    {
    }
}
