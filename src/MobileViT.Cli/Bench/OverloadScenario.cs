using System.Globalization;

namespace MobileViT.Cli.Bench;

/// <summary>
/// The overload scenario, in one run against one server: first the closed-loop capacity (img/s at a concurrency),
/// then an open loop at a multiple of that capacity where every request carries a deadline, optionally with a trickle
/// of high-priority requests beside it (same deadline). It reports goodput against the capacity, what the refused and
/// expired requests got, and the high-priority traffic's p99 against the normal traffic's.
/// </summary>
public sealed class OverloadScenario(Uri baseAddress, string? model, BenchImages images, TimeSpan warmup, TimeSpan duration, TextWriter progress)
{
    public sealed record Report(
        BenchPoint Capacity,
        double Multiple,
        int DeadlineMs,
        BenchPoint Normal,
        BenchPoint? High,
        double GoodputRatio,
        long DeadlineExceeded,
        long ServerErrors,
        double? HighToNormalP99);

    public async Task<Report> RunAsync(int capacityConcurrency, double multiple, int deadlineMs, double highRate)
    {
        BenchPoint capacity;
        await using (var closed = new HttpBenchClient(baseAddress, model))
            capacity = await new LoadRunner(closed, images, warmup, duration, progress).ClosedLoopAsync(capacityConcurrency);
        progress.WriteLine($"  capacity: {capacity.Throughput:0.0} img/s at c={capacityConcurrency}; offering {multiple:0.#}x = {capacity.Throughput * multiple:0} req/s with {deadlineMs} ms deadlines");

        var deadline = deadlineMs.ToString(CultureInfo.InvariantCulture);
        await using var normalClient = new HttpBenchClient(baseAddress, model, headers: new Dictionary<string, string> { ["x-request-timeout-ms"] = deadline });
        await using var highClient = new HttpBenchClient(baseAddress, model,
            headers: new Dictionary<string, string> { ["x-request-timeout-ms"] = deadline, ["x-request-priority"] = "high" });
        var normal = new LoadRunner(normalClient, images, warmup, duration, progress).OpenLoopAsync(capacity.Throughput * multiple);
        var high = highRate > 0 ? new LoadRunner(highClient, images, warmup, duration, progress).OpenLoopAsync(highRate) : null;
        var normalPoint = await normal;
        var highPoint = high is null ? null : await high;

        var all = highPoint is null ? [normalPoint] : new[] { normalPoint, highPoint };
        var goodput = all.Sum(p => p.Throughput);
        long Count(Func<string, bool> status) => all.Sum(p => p.Errors.Where(e => status(e.Key)).Sum(e => e.Value));
        return new Report(capacity, multiple, deadlineMs, normalPoint, highPoint, goodput / capacity.Throughput,
            Count(s => s == "504"), Count(s => s.Length == 3 && s[0] == '5'),
            highPoint is null ? null : highPoint.LatencyMs.P99 / normalPoint.LatencyMs.P99);
    }

    public static void Write(TextWriter output, Report report)
    {
        var points = new List<BenchPoint> { report.Capacity, report.Normal };
        if (report.High is not null)
            points.Add(report.High with { Protocol = "http-high" });
        BenchReport.WriteLoadTable(output, points);
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"goodput {report.GoodputRatio:0.000} x capacity; 504 after admission: {report.DeadlineExceeded}; 5xx: {report.ServerErrors}");
        if (report is { High: { } high, HighToNormalP99: { } ratio })
        {
            var refused = high.Errors.TryGetValue("429", out var count) ? count : 0;
            summary += string.Create(CultureInfo.InvariantCulture, $"; high priority: {refused} x 429, p99 {high.LatencyMs.P99:0.0} ms = {ratio:0.00} x normal p99");
        }
        output.WriteLine(summary);
    }
}
