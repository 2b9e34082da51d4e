using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using MobileViT.Cli.Commands;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Runtime;

namespace MobileViT.Cli.Bench;

/// <summary>
/// <c>mobilevit bench-graphs</c>: the inference speed of two ONNX graphs of the same network (e.g. the one this
/// codebase builds and a PyTorch export of the same weights), in one process with the service's session settings.
/// Runs alternate between the graphs one by one, so the machine's drift and bursts of load affect both alike.
/// </summary>
public sealed class BenchGraphsCommand : ICliCommand
{
    private const int Seed = 7;

    /// <summary>MobileViT's input size, for a graph that leaves the spatial dimensions dynamic.</summary>
    private const int DefaultImageSize = 256;

    public string Name => "bench-graphs";

    public string Summary => "Compare the inference speed of two ONNX graphs in one process (alternating runs).";

    public string Usage => """
        usage: mobilevit bench-graphs --built DIR|FILE.onnx --reference DIR|FILE.onnx [--batch 1,2] [--rounds 9]
                                      [--runs 20] [--threads 1]

          --built       the graph under test (a model directory, as build-model writes, or an .onnx file)
          --reference   the graph to compare with, e.g. a PyTorch export of the same weights
          --batch       batch sizes to measure (default 1,2)
          --rounds      rounds per batch size (default 9); a round runs the graphs in turn, one run each, --runs
                        times, the graph that goes first alternating between rounds
          --runs        timed runs per graph per round (default 20)
          --threads     ONNX Runtime intra-op threads per session (default 1)

        Both sessions are created as the service creates them (CPU provider, all graph optimisations, sequential, no
        spinning) and fed the same seeded-random pixels. Prints each round's mean ms per run and speed ratio
        (reference time / built time: above 1 means the built graph is faster), then the median ratio per batch size.
        """;

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var options = CommandLineOptions.Parse(args, "built", "reference", "batch", "rounds", "runs", "threads");
        var builtPath = OnnxFile(options.Required("built"), "built");
        var referencePath = OnnxFile(options.Required("reference"), "reference");
        var batches = options.GetIntList("batch") ?? [1, 2];
        var rounds = Positive(options, "rounds", 9);
        var runs = Positive(options, "runs", 20);
        var threads = Positive(options, "threads", 1);

        var factory = new SessionFactory(NullLogger<SessionFactory>.Instance);
        using var built = CreateInstance(factory, builtPath, threads, batches.Max(), "built");
        using var reference = CreateInstance(factory, referencePath, threads, batches.Max(), "reference");
        if (built.Signature != reference.Signature)
            throw new UsageException($"the graphs have different interfaces: {built.Signature} and {reference.Signature}.");

        FillSeededPixels(built, reference, batches.Max());
        built.WarmUp();
        reference.WarmUp();
        FillSeededPixels(built, reference, batches.Max());
        output.WriteLine($"built:     {builtPath}");
        output.WriteLine($"reference: {referencePath}");
        output.WriteLine($"{Environment.ProcessorCount} cores, {threads} intra-op thread(s) per session, {rounds} rounds x {runs} runs per graph and batch size");
        output.WriteLine($"max |logit difference| at batch {batches.Max()}: {MaxLogitDifference(built, reference, batches.Max()):g3}");

        foreach (var batch in batches)
        {
            var ratios = new List<double>();
            for (var round = 1; round <= rounds; round++)
            {
                var (builtMs, referenceMs) = InterleavedMeanMs(built, reference, batch, runs, builtFirst: round % 2 == 1);
                ratios.Add(referenceMs / builtMs);
                output.WriteLine($"batch {batch} round {round}: built {builtMs:0.00} ms, reference {referenceMs:0.00} ms, ratio {referenceMs / builtMs:0.000}");
            }
            output.WriteLine($"batch {batch}: median ratio {Median(ratios):0.000} (range {ratios.Min():0.000}-{ratios.Max():0.000}; above 1: built faster)");
        }
        return CliApp.ExitSuccess;
    }

    private static string OnnxFile(string path, string option)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, "onnx", "model.onnx") : path;
        return File.Exists(file) ? Path.GetFullPath(file) : throw new UsageException($"--{option}: no ONNX file at '{file}'.");
    }

    private static int Positive(CommandLineOptions options, string name, int fallback)
    {
        var value = options.GetInt(name) ?? fallback;
        return value >= 1 ? value : throw new UsageException($"option --{name} must be at least 1.");
    }

    private static SessionInstance CreateInstance(SessionFactory factory, string onnxFile, int threads, int maxBatch, string name)
    {
        var (session, provider) = factory.Create(File.ReadAllBytes(onnxFile), [ExecutionProviderKind.Cpu], threads, 0, name, 0);
        var input = session.InputMetadata.Values.First().Dimensions;
        var signature = ModelSignature.FromSession(session, input[2] > 0 ? input[2] : DefaultImageSize, input[3] > 0 ? input[3] : DefaultImageSize);
        return new SessionInstance(0, session, provider, signature, maxBatch);
    }

    private static void FillSeededPixels(SessionInstance a, SessionInstance b, int batch)
    {
        var random = new Random(Seed);
        for (var k = 0; k < batch; k++)
        {
            var slot = a.InputSlot(k);
            for (var i = 0; i < slot.Length; i++)
                slot[i] = random.NextSingle();
            slot.CopyTo(b.InputSlot(k));
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
    /// Mean ms per run of each graph, their runs interleaved one by one so a burst of load from elsewhere on the machine
    /// lands on both; which goes first alternates between rounds.
    /// </summary>
    private static (double Built, double Reference) InterleavedMeanMs(SessionInstance built, SessionInstance reference, int batch, int runs, bool builtFirst)
    {
        var (first, second) = builtFirst ? (built, reference) : (reference, built);
        TimeSpan firstTime = default, secondTime = default;
        for (var i = 0; i < runs; i++)
        {
            firstTime += Timed(first, batch);
            secondTime += Timed(second, batch);
        }
        var (builtTime, referenceTime) = builtFirst ? (firstTime, secondTime) : (secondTime, firstTime);
        return (builtTime.TotalMilliseconds / runs, referenceTime.TotalMilliseconds / runs);
    }

    private static TimeSpan Timed(SessionInstance instance, int batch)
    {
        var started = Stopwatch.GetTimestamp();
        instance.Run(batch);
        return Stopwatch.GetElapsedTime(started);
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
