using MobileViT.Inference.Configuration;
using MobileViT.Inference.Runtime;

namespace MobileViT.Inference.Tuning;

/// <summary>
/// Measures tuning candidates on real sessions, inference only on inputs written once, so the choice reflects the
/// sessions and not the images. Sessions are kept while consecutive candidates share instances and threads (only the
/// batch size changes) and disposed when they no longer do.
/// </summary>
internal sealed class SessionPointMeasurer(Func<int, int, int, SessionInstance> createInstance, int largestBatch) : IDisposable
{
    private readonly List<SessionInstance> _instances = [];
    private (int Instances, int Threads) _current;

    /// <summary>Measures with sessions made by <see cref="SessionFactory"/> for the given model and providers.</summary>
    public static SessionPointMeasurer For(SessionFactory sessions, byte[] onnxModel, IReadOnlyList<ExecutionProviderKind> providers, int cudaDeviceId,
        string model, ModelSignature signature, int largestBatch) =>
        new((index, threads, maxBatch) =>
        {
            var (session, provider) = sessions.Create(onnxModel, providers, threads, cudaDeviceId, model, index);
            return new SessionInstance(index, session, provider, signature, maxBatch);
        }, largestBatch);

    public TuningMeasurement Measure(TuningCandidate candidate, TimeSpan warmup, TimeSpan duration)
    {
        if (_current != (candidate.Instances, candidate.IntraOpThreads))
        {
            Release();
            for (var i = 0; i < candidate.Instances; i++)
            {
                var instance = createInstance(i, candidate.IntraOpThreads, largestBatch);
                _instances.Add(instance);
                for (var k = 0; k < largestBatch; k++)
                    FillSample(instance.InputSlot(k), k);
            }
            _current = (candidate.Instances, candidate.IntraOpThreads);
        }
        var result = ThroughputMeasurement.Run(_instances, candidate.MaxBatchSize, warmup, duration);
        return new TuningMeasurement(candidate, result.ImagesPerSecond, result.BatchLatencyP50Ms);
    }

    /// <summary>A smooth normalised-pixel pattern, different per sample, like a real image's range.</summary>
    private static void FillSample(Span<float> sample, int index)
    {
        for (var j = 0; j < sample.Length; j++)
            sample[j] = MathF.Sin((j + index * 7919) * 0.001f) * 2f;
    }

    private void Release()
    {
        foreach (var instance in _instances)
            instance.Dispose();
        _instances.Clear();
        _current = default;
    }

    public void Dispose() => Release();
}
