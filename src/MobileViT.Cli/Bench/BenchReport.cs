using System.Globalization;
using System.Text.Json;

namespace MobileViT.Cli.Bench;

/// <summary>Console tables and the JSON file of a benchmark run.</summary>
public static class BenchReport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web) { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static void WriteLoadTable(TextWriter output, IReadOnlyList<BenchPoint> points)
    {
        output.WriteLine($"{"protocol",-12}{"images",-22}{"load",-12}{"img/s",9}{"p50 ms",9}{"p90 ms",9}{"p99 ms",9}{"max ms",9}{"batch",7}{"queue ms",10}{"infer ms",10}{"prep ms",9}  errors");
        foreach (var p in points)
        {
            var load = p.Mode == "closed" ? $"c={p.Concurrency}" : $"{p.TargetRate:0}/s";
            var errors = p.Errors.Count == 0 ? "-" : string.Join(" ", p.Errors.Select(e => $"{e.Key}:{e.Value}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{p.Protocol,-12}{p.Images,-22}{load,-12}{p.Throughput,9:0.0}{p.LatencyMs.P50,9:0.0}{p.LatencyMs.P90,9:0.0}{p.LatencyMs.P99,9:0.0}{p.LatencyMs.Max,9:0.0}{p.MeanBatchSize,7:0.00}{p.MeanQueueMs,10:0.0}{p.MeanInferenceMs,10:0.0}{p.MeanPreprocessMs,9:0.0}  {errors}"));
        }
    }

    public static void WriteSweepTable(TextWriter output, IReadOnlyList<InProcessBenchmark.Point> points)
    {
        var best = points.MaxBy(p => p.Throughput);
        output.WriteLine($"{"instances",10}{"threads",9}{"batch",7}{"img/s",9}{"batch p50 ms",14}{"batch p99 ms",14}");
        foreach (var p in points)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{p.Instances,10}{p.IntraOpThreads,9}{p.BatchSize,7}{p.Throughput,9:0.0}{p.BatchLatencyMs.P50,14:0.0}{p.BatchLatencyMs.P99,14:0.0}{(p == best ? "  <- best" : "")}"));
        }
    }

    public static void WriteJson(string path, object report)
    {
        File.WriteAllText(path, JsonSerializer.Serialize(report, Json));
    }
}
