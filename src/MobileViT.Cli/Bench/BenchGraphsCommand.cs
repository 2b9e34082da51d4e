using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using MobileViT.Cli.Commands;
using MobileViT.Inference.Runtime;

namespace MobileViT.Cli.Bench;

/// <summary>
/// <c>mobilevit bench-graphs</c>: the inference speed of ONNX graphs of the same network (e.g. the ones this codebase
/// builds and a PyTorch export of the same weights), in one process with the service's session settings. Runs
/// alternate between the graphs one by one, so the machine's drift and bursts of load affect all of them alike.
/// </summary>
public sealed class BenchGraphsCommand : ICliCommand
{
    public string Name => "bench-graphs";

    public string Summary => "Compare the inference speed of ONNX graphs in one process (alternating runs).";

    public string Usage => """
        usage: mobilevit bench-graphs --built DIR|FILE.onnx[,DIR|FILE.onnx...] --reference DIR|FILE.onnx [--batch 1,2]
                                      [--rounds 9] [--runs 20] [--threads 1,2]

          --built       the graph(s) under test (model directories, as build-model writes, or .onnx files), comma
                        separated; each is compared with the reference
          --reference   the graph to compare with, e.g. a PyTorch export of the same weights
          --batch       batch sizes to measure (default 1,2)
          --rounds      rounds per batch size (default 9); a round runs the graphs in turn, one run each, --runs
                        times, the order of the graphs rotating between rounds
          --runs        timed runs per graph per round (default 20)
          --threads     ONNX Runtime intra-op threads per session, one or more (default 1); each count gets its own
                        sessions

        The sessions are created as the service creates them (CPU provider, all graph optimisations, sequential, no
        spinning) and fed the same seeded-random pixels. Prints each round's mean ms per run and speed ratio
        (reference time / built time: above 1 means the built graph is faster), then the median ratio per graph,
        thread count and batch size: of wall time, and of the process's CPU time (user + system, all threads) over the
        same runs, which other processes on a busy machine disturb far less than wall time.
        """;

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var options = CommandLineOptions.Parse(args, "built", "reference", "batch", "rounds", "runs", "threads");
        var builtPaths = options.Required("built").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => GraphSessions.OnnxFile(p, "built")).ToList();
        var referencePath = GraphSessions.OnnxFile(options.Required("reference"), "reference");
        var batches = options.GetIntList("batch") ?? [1, 2];
        var rounds = GraphSessions.Positive(options, "rounds", 9);
        var runs = GraphSessions.Positive(options, "runs", 20);
        var threadCounts = options.GetIntList("threads") ?? [1];
        var labels = builtPaths.Count == 1 ? ["built"] : builtPaths.Select((_, i) => $"built{i + 1}").ToList();

        for (var i = 0; i < builtPaths.Count; i++)
            output.WriteLine($"{labels[i] + ":",-10} {builtPaths[i]}");
        output.WriteLine($"reference: {referencePath}");
        output.WriteLine($"{Environment.ProcessorCount} cores, {rounds} rounds x {runs} runs per graph, batch size and thread count");
        var medians = new List<string>();
        var factory = new SessionFactory(NullLogger<SessionFactory>.Instance);
        foreach (var threads in threadCounts)
        {
            var sessions = new List<SessionInstance>();
            try
            {
                sessions.Add(GraphSessions.Create(factory, referencePath, threads, batches.Max(), "reference"));
                foreach (var path in builtPaths)
                    sessions.Add(GraphSessions.Create(factory, path, threads, batches.Max(), "built"));
                Measure(sessions, labels, threads, batches, rounds, runs, output, medians);
            }
            finally
            {
                foreach (var session in sessions)
                    session.Dispose();
            }
        }
        if (medians.Count > 1)
        {
            output.WriteLine("summary:");
            foreach (var median in medians)
                output.WriteLine("  " + median);
        }
        return CliApp.ExitSuccess;
    }

    /// <summary>sessions[0] is the reference.</summary>
    private static void Measure(IReadOnlyList<SessionInstance> sessions, IReadOnlyList<string> labels, int threads,
        IReadOnlyList<int> batches, int rounds, int runs, TextWriter output, List<string> medians)
    {
        var reference = sessions[0];
        foreach (var built in sessions.Skip(1))
        {
            if (built.Signature != reference.Signature)
                throw new UsageException($"the graphs have different interfaces: {built.Signature} and {reference.Signature}.");
        }
        GraphSessions.FillSeededPixels(sessions, batches.Max());
        foreach (var session in sessions)
            session.WarmUp();
        GraphSessions.FillSeededPixels(sessions, batches.Max());
        for (var i = 1; i < sessions.Count; i++)
            output.WriteLine($"{threads} intra-op thread(s); {labels[i - 1]}: max |logit difference| from the reference at batch {batches.Max()}: {MaxLogitDifference(sessions[i], reference, batches.Max()):g3}");

        foreach (var batch in batches)
        {
            var ratios = labels.Select(_ => new List<double>()).ToList();
            var cpuRatios = labels.Select(_ => new List<double>()).ToList();
            for (var round = 1; round <= rounds; round++)
            {
                var (meanMs, cpuMs) = InterleavedMeanMs(sessions, batch, runs, firstIndex: round - 1);
                for (var i = 1; i < sessions.Count; i++)
                {
                    var ratio = meanMs[0] / meanMs[i];
                    ratios[i - 1].Add(ratio);
                    cpuRatios[i - 1].Add(cpuMs[0] / cpuMs[i]);
                    output.WriteLine($"threads {threads} batch {batch} round {round}: {labels[i - 1]} {meanMs[i]:0.00} ms (cpu {cpuMs[i]:0.00}), " +
                        $"reference {meanMs[0]:0.00} ms (cpu {cpuMs[0]:0.00}), ratio {ratio:0.000} (cpu {cpuMs[0] / cpuMs[i]:0.000})");
                }
            }
            for (var i = 0; i < labels.Count; i++)
            {
                var prefix = labels.Count == 1 ? "" : labels[i] + " ";
                var median = $"{prefix}threads {threads} batch {batch}: median ratio {Median(ratios[i]):0.000} (range {ratios[i].Min():0.000}-{ratios[i].Max():0.000}; " +
                    $"cpu time {Median(cpuRatios[i]):0.000}, range {cpuRatios[i].Min():0.000}-{cpuRatios[i].Max():0.000}; above 1: built faster)";
                output.WriteLine(median);
                medians.Add(median);
            }
        }
    }

    private static float MaxLogitDifference(SessionInstance a, SessionInstance b, int batch)
    {
        a.Run(batch);
        b.Run(batch);
        var max = 0f;
        for (var k = 0; k < batch; k++)
        {
            var x = a.OutputSlot(k);
            var y = b.OutputSlot(k);
            for (var i = 0; i < x.Length; i++)
                max = Math.Max(max, Math.Abs(x[i] - y[i]));
        }
        return max;
    }

    /// <summary>
    /// Mean wall and CPU ms per run of each graph, their runs interleaved one by one so a burst of load from elsewhere on
    /// the machine lands on all of them; the graph that goes first rotates between rounds.
    /// </summary>
    private static (double[] WallMs, double[] CpuMs) InterleavedMeanMs(IReadOnlyList<SessionInstance> sessions, int batch, int runs, int firstIndex)
    {
        var wall = new TimeSpan[sessions.Count];
        var cpu = new TimeSpan[sessions.Count];
        for (var run = 0; run < runs; run++)
        {
            for (var k = 0; k < sessions.Count; k++)
            {
                var index = (firstIndex + k) % sessions.Count;
                var cpuBefore = Environment.CpuUsage.TotalTime;
                var started = Stopwatch.GetTimestamp();
                sessions[index].Run(batch);
                wall[index] += Stopwatch.GetElapsedTime(started);
                cpu[index] += Environment.CpuUsage.TotalTime - cpuBefore;
            }
        }
        return (wall.Select(t => t.TotalMilliseconds / runs).ToArray(), cpu.Select(t => t.TotalMilliseconds / runs).ToArray());
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
