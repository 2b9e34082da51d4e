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
        usage: mobilevit profile-graph --model DIR|FILE.onnx[,DIR|FILE.onnx...] [--batch 1,8] [--threads 1] [--runs 50]
                                       [--warmup 5] [--keep DIR]
               mobilevit profile-graph --summarise PROFILE.json [--warmup 0]

          --model      the graph(s) to profile (model directories, as build-model writes, or .onnx files), comma
                       separated; several graphs run in turn, one run each, so that load from elsewhere on the machine
                       lands on all of them, and a table compares them per operator type
          --batch      batch sizes, each profiled in its own session (default 1,8)
          --threads    ONNX Runtime intra-op threads (default 1)
          --runs       measured runs per batch size (default 50)
          --warmup     runs before the measured ones, left out of the summary (default 5; 0 with --summarise)
          --keep       keep the profiler's JSON files in this directory (default: deleted)
          --summarise  summarise an existing ONNX Runtime profile instead of running a graph

        Each session is created as the service creates it (CPU provider, all graph optimisations, sequential, no
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

        var models = options.Required("model").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(m => GraphSessions.OnnxFile(m, "model")).ToList();
        var batches = options.GetIntList("batch") ?? [1, 8];
        var threads = GraphSessions.Positive(options, "threads", 1);
        var runs = GraphSessions.Positive(options, "runs", 50);
        var warmup = options.GetInt("warmup") ?? 5;
        if (warmup < 0)
            throw new UsageException("option --warmup must not be negative.");
        var keep = options.Get("keep");
        var directory = keep ?? Directory.CreateTempSubdirectory("mobilevit-profile-").FullName;
        Directory.CreateDirectory(directory);

        for (var m = 0; m < models.Count; m++)
            output.WriteLine(models.Count == 1 ? $"model: {models[m]}" : $"model {m + 1}: {models[m]}");
        output.WriteLine($"{Environment.ProcessorCount} cores, {threads} intra-op thread(s), {warmup} warm-up + {runs} measured runs per batch size");
        var factory = new SessionFactory(NullLogger<SessionFactory>.Instance);
        try
        {
            foreach (var batch in batches)
            {
                var summaries = ProfileInTurn(factory, models, threads, batch, warmup, runs, Path.Combine(directory, $"batch{batch}"), keep is not null ? output : null);
                for (var m = 0; m < models.Count; m++)
                {
                    output.WriteLine();
                    output.WriteLine(models.Count == 1 ? $"### batch {batch}, {threads} thread(s)" : $"### model {m + 1}, batch {batch}, {threads} thread(s)");
                    output.WriteLine();
                    output.Write(summaries[m].ToMarkdown());
                }
                if (models.Count > 1)
                {
                    output.WriteLine();
                    output.WriteLine($"### batch {batch}, {threads} thread(s): ms per run by operator type");
                    output.WriteLine();
                    output.Write(OrtProfileSummary.CompareMarkdown(summaries));
                }
            }
        }
        finally
        {
            if (keep is null)
                Directory.Delete(directory, recursive: true);
        }
        return CliApp.ExitSuccess;
    }

    /// <summary>One profiled session per model, their runs in turn (warm-up first), each summarised from its own profile.</summary>
    private static List<OrtProfileSummary> ProfileInTurn(SessionFactory factory, IReadOnlyList<string> models, int threads, int batch,
        int warmup, int runs, string profilePrefix, TextWriter? keptFiles)
    {
        var instances = new List<SessionInstance>();
        try
        {
            for (var m = 0; m < models.Count; m++)
                instances.Add(GraphSessions.Create(factory, models[m], threads, batch, "profile", $"{profilePrefix}-model{m + 1}"));
            GraphSessions.FillSeededPixels(instances, batch);
            for (var i = 0; i < warmup + runs; i++)
            {
                foreach (var instance in instances)
                    instance.Run(batch);
            }
            var summaries = new List<OrtProfileSummary>();
            foreach (var instance in instances)
            {
                var profile = instance.EndProfiling();
                keptFiles?.WriteLine($"(profile: {profile})");
                summaries.Add(OrtProfileSummary.Read(profile, warmup));
            }
            return summaries;
        }
        finally
        {
            foreach (var instance in instances)
                instance.Dispose();
        }
    }
}
