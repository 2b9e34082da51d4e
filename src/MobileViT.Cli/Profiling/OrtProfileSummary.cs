using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MobileViT.Cli.Profiling;

/// <summary>The node time of one operator type per run, from ONNX Runtime's profiler.</summary>
public sealed record OperatorTime(string OpType, double MillisecondsPerRun, double NodesPerRun, double Share);

/// <summary>
/// ONNX Runtime's profiler JSON (Chrome trace events) summed per operator type over the measured runs: the
/// <c>*_kernel_time</c> events of category <c>Node</c> that fall inside a <c>model_run</c> event, after skipping the
/// first <c>skipRuns</c> runs (warm-up: first-run allocations and kernel selection).
/// </summary>
public sealed record OrtProfileSummary(int Runs, double RunMilliseconds, double NodeMilliseconds, IReadOnlyList<OperatorTime> Operators)
{
    public static OrtProfileSummary Read(string jsonPath, int skipRuns)
    {
        using var stream = File.OpenRead(jsonPath);
        using var document = JsonDocument.Parse(stream);
        return From(document.RootElement, skipRuns);
    }

    public static OrtProfileSummary From(JsonElement events, int skipRuns)
    {
        if (events.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException("an ONNX Runtime profile is a JSON array of trace events.");

        var runs = new List<(long Start, long End)>();
        var nodes = new List<(long Start, long Duration, string OpType)>();
        foreach (var e in events.EnumerateArray())
        {
            var category = e.TryGetProperty("cat", out var c) ? c.GetString() : null;
            var name = e.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
            if (!e.TryGetProperty("ts", out var tsValue) || !e.TryGetProperty("dur", out var durValue))
                continue;
            var (ts, dur) = (tsValue.GetInt64(), durValue.GetInt64());
            if (category == "Session" && name == "model_run")
                runs.Add((ts, ts + dur));
            else if (category == "Node" && name.EndsWith("_kernel_time", StringComparison.Ordinal)
                     && e.TryGetProperty("args", out var args) && args.TryGetProperty("op_name", out var op))
                nodes.Add((ts, dur, op.GetString() ?? "?"));
        }

        runs.Sort();
        var measured = runs.Skip(skipRuns).ToList();
        if (measured.Count == 0)
            throw new InvalidDataException($"the profile has {runs.Count} model_run event(s); nothing is left after skipping {skipRuns}.");

        var perOp = new Dictionary<string, (long Duration, int Count)>(StringComparer.Ordinal);
        foreach (var (start, duration, opType) in nodes)
        {
            if (!measured.Any(r => start >= r.Start && start <= r.End))
                continue;
            var (total, count) = perOp.GetValueOrDefault(opType);
            perOp[opType] = (total + duration, count + 1);
        }

        double runCount = measured.Count;
        var nodeMicros = perOp.Values.Sum(v => v.Duration);
        var operators = perOp
            .Select(kv => new OperatorTime(kv.Key, kv.Value.Duration / runCount / 1000, kv.Value.Count / runCount,
                nodeMicros == 0 ? 0 : (double)kv.Value.Duration / nodeMicros))
            .OrderByDescending(o => o.MillisecondsPerRun)
            .ThenBy(o => o.OpType, StringComparer.Ordinal)
            .ToList();
        return new OrtProfileSummary(measured.Count, measured.Average(r => r.End - r.Start) / 1000, nodeMicros / runCount / 1000, operators);
    }

    /// <summary>A Markdown table of several profiles side by side: ms per run per operator type, then run and node totals.</summary>
    public static string CompareMarkdown(IReadOnlyList<OrtProfileSummary> summaries)
    {
        var text = new StringBuilder();
        var columns = Enumerable.Range(1, summaries.Count).Select(i => $"model {i}").ToList();
        text.AppendLine("| operator | " + string.Join(" | ", columns) + " |");
        text.AppendLine("|---|" + string.Concat(columns.Select(_ => "---:|")));
        var opTypes = summaries.SelectMany(s => s.Operators)
            .GroupBy(o => o.OpType, StringComparer.Ordinal)
            .OrderByDescending(g => g.Max(o => o.MillisecondsPerRun))
            .Select(g => g.Key);
        foreach (var opType in opTypes)
        {
            var cells = summaries.Select(s => s.Operators.FirstOrDefault(o => o.OpType == opType) is { } o
                ? string.Create(CultureInfo.InvariantCulture, $"{o.MillisecondsPerRun:0.000} ({o.NodesPerRun:0.#})")
                : "-");
            text.AppendLine($"| {opType} | " + string.Join(" | ", cells) + " |");
        }
        text.AppendLine("| all nodes | " + string.Join(" | ", summaries.Select(s => string.Create(CultureInfo.InvariantCulture, $"**{s.NodeMilliseconds:0.000}**"))) + " |");
        text.AppendLine("| whole run | " + string.Join(" | ", summaries.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.RunMilliseconds:0.000}"))) + " |");
        return text.ToString();
    }

    /// <summary>A Markdown table: operator type, ms per run, share of node time, nodes per run.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{Runs} runs: {RunMilliseconds:0.00} ms per run, of which {NodeMilliseconds:0.00} ms in nodes");
        text.AppendLine();
        text.AppendLine("| operator | ms per run | share | nodes per run |");
        text.AppendLine("|---|---:|---:|---:|");
        foreach (var o in Operators)
            text.AppendLine(CultureInfo.InvariantCulture, $"| {o.OpType} | {o.MillisecondsPerRun:0.000} | {o.Share:0.0%} | {o.NodesPerRun:0.#} |");
        return text.ToString();
    }
}
