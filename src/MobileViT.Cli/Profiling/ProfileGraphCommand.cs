using Microsoft.Extensions.Logging.Abstractions;
using MobileViT.Cli.Bench;
using MobileViT.Cli.Commands;
using MobileViT.Inference.Runtime;

namespace MobileViT.Cli.Profiling;

/// <summary>
/// <c>mobilevit profile-graph</c>: where a graph's time goes, per operator type, from ONNX Runtime's own profiler; runs
/// the graph with profiling on (the service's session settings), or summarises a profile JSON written elsewhere.
/// </summary>
public sealed class ProfileGraphCommand : ICliCommand
{
    public string Name => "profile-graph";

    public string Summary => "Time per operator type of an ONNX graph, from ONNX Runtime's profiler.";

    public string Usage => """
        usage: mobilevit profile-graph --model DIR|FILE.onnx [--batch 1,8] [--threads 1] [--runs 50] [--warmup 5]
                                       [--keep DIR]
               mobilevit profile-graph --summarise PROFILE.json [--warmup 0]

          --model      the graph to profile (a model directory, as build-model writes, or an .onnx file)
          --batch      batch sizes, each profiled in its own session (default 1,8)
          --threads    ONNX Runtime intra-op threads (default 1)
          --runs       measured runs per batch size (default 50)
          --warmup     runs before the measured ones, left out of the summary (default 5; 0 with --summarise)
          --keep       keep the profiler's JSON files in this directory (default: deleted)
          --summarise  summarise an existing ONNX Runtime profile instead of running a graph

        The session is created as the service creates it (CPU provider, all graph optimisations, sequential, no
        spinning) with ONNX Runtime's profiler on, and fed seeded-random pixels. The summary adds up the node
        (kernel) events inside each measured run by operator type, after ONNX Runtime's graph optimisations: the
        fused operators it created are listed under their own names (e.g. FusedConv, QuickGelu). Prints a Markdown
        table per batch size: ms per run, share of node time, nodes per run.
        """;

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var options = CommandLineOptions.Parse(args, "model", "batch", "threads", "runs", "warmup", "keep", "summarise");
        var summarise = options.Get("summarise");
        if (summarise is not null)
        {
            if (options.Has("model"))
                throw new UsageException("give either --model or --summarise, not both.");
            if (!File.Exists(summarise))
                throw new UsageException($"--summarise: no file at '{summarise}'.");
            output.Write(OrtProfileSummary.Read(summarise, options.GetInt("warmup") ?? 0).ToMarkdown());
            return CliApp.ExitSuccess;
        }

        var model = GraphSessions.OnnxFile(options.Required("model"), "model");
        var batches = options.GetIntList("batch") ?? [1, 8];
        var threads = GraphSessions.Positive(options, "threads", 1);
        var runs = GraphSessions.Positive(options, "runs", 50);
        var warmup = options.GetInt("warmup") ?? 5;
        if (warmup < 0)
            throw new UsageException("option --warmup must not be negative.");
        var keep = options.Get("keep");
        var directory = keep ?? Directory.CreateTempSubdirectory("mobilevit-profile-").FullName;
        Directory.CreateDirectory(directory);

        output.WriteLine($"model: {model}");
        output.WriteLine($"{Environment.ProcessorCount} cores, {threads} intra-op thread(s), {warmup} warm-up + {runs} measured runs per batch size");
        var factory = new SessionFactory(NullLogger<SessionFactory>.Instance);
        try
        {
            foreach (var batch in batches)
            {
                string profile;
                using (var instance = GraphSessions.Create(factory, model, threads, batch, "profile", Path.Combine(directory, $"batch{batch}")))
                {
                    GraphSessions.FillSeededPixels([instance], batch);
                    for (var i = 0; i < warmup + runs; i++)
                        instance.Run(batch);
                    profile = instance.EndProfiling();
                }
                output.WriteLine();
                output.WriteLine($"### batch {batch}, {threads} thread(s)");
                output.WriteLine();
                output.Write(OrtProfileSummary.Read(profile, warmup).ToMarkdown());
                if (keep is not null)
                    output.WriteLine($"(profile: {profile})");
            }
        }
        finally
        {
            if (keep is null)
                Directory.Delete(directory, recursive: true);
        }
        return CliApp.ExitSuccess;
    }
}
