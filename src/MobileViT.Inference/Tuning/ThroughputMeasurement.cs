using System.Diagnostics;
using MobileViT.Inference.Runtime;

namespace MobileViT.Inference.Tuning;

/// <summary>
/// Throughput of a set of session instances running batches back to back, one thread per instance, the way the batcher
/// drives them under full load; shared by <c>mobilevit bench --in-process</c> and the warm-up tuner.
/// </summary>
public static class ThroughputMeasurement
{
    /// <param name="fillBatch">
    /// Called before each run to write the batch's inputs (e.g. preprocess images); null runs on whatever the inputs
    /// already hold (inference only).
    /// </param>
    public static MeasuredThroughput Run(IReadOnlyList<SessionInstance> instances, int batchSize, TimeSpan warmup, TimeSpan duration,
        Action<SessionInstance, int>? fillBatch = null)
    {
        var started = Stopwatch.GetTimestamp();
        var measureFrom = started + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var end = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long measuredImages = 0;
        var latencies = new List<double>[instances.Count];
        var threads = instances.Select((instance, index) => new Thread(() =>
        {
            var mine = latencies[index] = [];
            while (true)
            {
                var batchStarted = Stopwatch.GetTimestamp();
                if (batchStarted >= end)
                    return;
                fillBatch?.Invoke(instance, batchSize);
                instance.Run(batchSize);
                var batchEnded = Stopwatch.GetTimestamp();
                if (batchStarted >= measureFrom && batchEnded <= end)
                {
                    Interlocked.Add(ref measuredImages, batchSize);
                    mine.Add((batchEnded - batchStarted) * 1000.0 / Stopwatch.Frequency);
                }
            }
        }) { IsBackground = true, Name = $"throughput-{index}" }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return new MeasuredThroughput(measuredImages / duration.TotalSeconds, latencies.SelectMany(l => l).ToList());
    }
}

/// <summary>Images per second over the measured window and the time of every batch run that fell inside it.</summary>
public sealed record MeasuredThroughput(double ImagesPerSecond, IReadOnlyList<double> BatchLatenciesMs)
{
    /// <summary>Median batch time (nearest rank), NaN when no batch completed inside the window.</summary>
    public double BatchLatencyP50Ms
    {
        get
        {
            if (BatchLatenciesMs.Count == 0)
                return double.NaN;
            var sorted = BatchLatenciesMs.Order().ToArray();
            return sorted[Math.Clamp((int)Math.Ceiling(0.5 * sorted.Length) - 1, 0, sorted.Length - 1)];
        }
    }
}
