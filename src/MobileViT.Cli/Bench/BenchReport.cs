using System.Globalization;
using System.Text.Json;

namespace MobileViT.Cli.Bench;

/// <summary>Console tables and the JSON file of a benchmark run.</summary>
public static class BenchReport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web) { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static void WriteLoadTable(TextWriter output, IReadOnlyList<BenchPoint> points)
    {
        var cpu = points.Any(p => p.ServerCpuSecondsPerRequest is not null);
        output.WriteLine($"{"protocol",-16}{"images",-22}{"load",-12}{"req/s",9}{"p50 ms",9}{"p90 ms",9}{"p99 ms",9}{"max ms",9}{"batch",7}{"queue ms",10}{"infer ms",10}{"prep ms",9}{(cpu ? "  srv cpu ms/req" : "")}  errors");
        foreach (var p in points)
        {
            var errors = p.Errors.Count == 0 ? "-" : string.Join(" ", p.Errors.Select(e => $"{e.Key}:{e.Value}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{p.Protocol,-16}{p.Images,-22}{p.Load,-12}{p.Throughput,9:0.0}{p.LatencyMs.P50,9:0.0}{p.LatencyMs.P90,9:0.0}{p.LatencyMs.P99,9:0.0}{p.LatencyMs.Max,9:0.0}{p.MeanBatchSize,7:0.00}{p.MeanQueueMs,10:0.0}{p.MeanInferenceMs,10:0.0}{p.MeanPreprocessMs,9:0.0}{(cpu ? $"{p.ServerCpuSecondsPerRequest * 1000,16:0.00}" : "")}  {errors}"));
        }
    }

    /// <summary>Per arm (protocol and load) over the rounds: median requests/s and median server CPU per request.</summary>
    public static void WriteInterleavedSummary(TextWriter output, IReadOnlyList<BenchPoint> points)
    {
        output.WriteLine();
        output.WriteLine($"{"medians over rounds",-28}{"rounds",7}{"req/s",9}{"srv cpu ms/req",16}");
        foreach (var arm in points.GroupBy(p => (p.Protocol, p.Load)))
        {
            var cpu = Median(arm.Select(p => p.ServerCpuSecondsPerRequest ?? double.NaN).Where(v => !double.IsNaN(v)).ToList());
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{arm.Key.Protocol + " " + arm.Key.Load,-28}{arm.Count(),7}{Median(arm.Select(p => p.Throughput).ToList()),9:0.0}{cpu * 1000,16:0.00}"));
        }
    }

    private static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            return double.NaN;
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
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
