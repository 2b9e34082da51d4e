using Microsoft.Extensions.Logging.Abstractions;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Preprocessing;
using MobileViT.Inference.Runtime;
using MobileViT.Inference.Sources;
using MobileViT.Inference.Tuning;

namespace MobileViT.Cli.Bench;

/// <summary>
/// This machine's ceiling: decode, preprocess and inference in one process with no network, for every combination of
/// instances x intra-op threads x batch size. Each instance has its own thread that preprocesses a batch straight into
/// its session's input buffer and runs it, the same work the service does per image minus HTTP. The measuring loop is
/// <see cref="ThroughputMeasurement"/>, the one the service's warm-up tuner uses.
/// </summary>
public sealed class InProcessBenchmark(ModelArtifacts model, BenchImages images, TimeSpan warmup, TimeSpan duration, bool inferenceOnly, TextWriter progress)
{
    public sealed record Point(int Instances, int IntraOpThreads, int BatchSize, double Throughput, LatencySummary BatchLatencyMs, bool InferenceOnly);

    public IReadOnlyList<Point> Sweep(IReadOnlyList<int> instances, IReadOnlyList<int> threads, IReadOnlyList<int> batchSizes)
    {
        var points = new List<Point>();
        foreach (var i in instances)
        foreach (var t in threads)
        foreach (var b in batchSizes)
        {
            var point = Measure(i, t, b);
            progress.WriteLine($"  instances={i} threads={t} batch={b}: {point.Throughput:0.0} img/s, batch p50 {point.BatchLatencyMs.P50:0.0} ms");
            points.Add(point);
        }
        return points;
    }

    public Point Measure(int instanceCount, int intraOpThreads, int batchSize)
    {
        var factory = new SessionFactory(NullLogger<SessionFactory>.Instance);
        var preprocessor = new ImagePreprocessor(model.Preprocessor, maxPixels: 100_000_000);
        var instances = new List<SessionInstance>();
        long next = 0;
        try
        {
            for (var i = 0; i < instanceCount; i++)
            {
                var (session, provider) = factory.Create(model.OnnxModel, [ExecutionProviderKind.Cpu], intraOpThreads, 0, "bench", i);
                var signature = ModelSignature.FromSession(session, model.Preprocessor.CropHeight, model.Preprocessor.CropWidth);
                instances.Add(new SessionInstance(i, session, provider, signature, batchSize));
            }
            foreach (var instance in instances)
            {
                // As the service warms its sessions: ONNX Runtime's second run of a shape is as slow as its first.
                instance.WarmUp();
                for (var k = 0; k < batchSize; k++)
                    preprocessor.Preprocess(images[k], instance.InputSlot(k));
            }

            var result = ThroughputMeasurement.Run(instances, batchSize, warmup, duration, inferenceOnly ? null : (instance, size) =>
            {
                for (var k = 0; k < size; k++)
                    preprocessor.Preprocess(images[Interlocked.Increment(ref next)], instance.InputSlot(k));
            });
            return new Point(instanceCount, intraOpThreads, batchSize, result.ImagesPerSecond, LatencySummary.From(result.BatchLatenciesMs.ToList()), inferenceOnly);
        }
        finally
        {
            instances.ForEach(i => i.Dispose());
        }
    }
}
