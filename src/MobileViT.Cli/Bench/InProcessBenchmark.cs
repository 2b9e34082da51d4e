using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Preprocessing;
using MobileViT.Inference.Runtime;
using MobileViT.Inference.Sources;

namespace MobileViT.Cli.Bench;

/// <summary>
/// This machine's ceiling: decode, preprocess and inference in one process with no network, for every combination of
/// instances x intra-op threads x batch size. Each instance has its own thread that preprocesses a batch straight into
/// its session's input buffer and runs it, the same work the service does per image minus HTTP.
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
                for (var k = 0; k < batchSize; k++)
                    preprocessor.Preprocess(images[k], instance.InputSlot(k));
                instance.Run(batchSize);
            }

            var started = Stopwatch.GetTimestamp();
            var measureFrom = started + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
            var end = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            long next = 0, measuredImages = 0;
            var latencies = new List<double>[instanceCount];
            var threads = instances.Select((instance, index) => new Thread(() =>
            {
                var mine = latencies[index] = [];
                while (true)
                {
                    var batchStarted = Stopwatch.GetTimestamp();
                    if (batchStarted >= end)
                        return;
                    if (!inferenceOnly)
                    {
                        for (var k = 0; k < batchSize; k++)
                            preprocessor.Preprocess(images[Interlocked.Increment(ref next)], instance.InputSlot(k));
                    }
                    instance.Run(batchSize);
                    var batchEnded = Stopwatch.GetTimestamp();
                    if (batchStarted >= measureFrom && batchEnded <= end)
                    {
                        Interlocked.Add(ref measuredImages, batchSize);
                        mine.Add((batchEnded - batchStarted) * 1000.0 / Stopwatch.Frequency);
                    }
                }
            }) { IsBackground = true }).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            return new Point(instanceCount, intraOpThreads, batchSize, measuredImages / duration.TotalSeconds,
                LatencySummary.From(latencies.SelectMany(l => l).ToList()), inferenceOnly);
        }
        finally
        {
            instances.ForEach(i => i.Dispose());
        }
    }
}
