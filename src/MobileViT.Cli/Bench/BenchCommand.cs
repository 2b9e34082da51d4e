using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using MobileViT.Cli.Commands;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Sources;

namespace MobileViT.Cli.Bench;

/// <summary><c>mobilevit bench</c>: load generator against a running server, or the in-process ceiling sweep.</summary>
public sealed class BenchCommand : ICliCommand
{
    public string Name => "bench";

    public string Summary => "Load-test a server (HTTP) or measure this machine's in-process ceiling.";

    public string Usage => """
        usage: mobilevit bench --url URL [--grpc-url URL] [--protocol http,grpc,grpc-stream,v2-json,v2-binary] [--model NAME]
                               [--concurrency 1,4,16,64 | --rate R1,R2,...] [--requests N] [--duration S] [--warmup S]
                               [--batch 1,8] [--rounds N] [--server-pid PID] [--images DIR] [--group all|size|image] [--json FILE]
                               [--api-key KEY]
               mobilevit bench --url URL --overload MULTIPLE [--arrivals smooth,burst] [--burst-period-ms MS] [--burst-clients N]
                               [--deadline-ms MS] [--high-rate R] [--concurrency C] [--server-pid PID] [--expect-continue]
                               [--model NAME] [--duration S] [--warmup S] [--images DIR] [--json FILE]
               mobilevit bench --in-process [--source synthetic:xxs|DIR|hf:OWNER/REPO] [--instances 1,2] [--threads 1,2]
                               [--batch 1,2,4,8,16] [--inference-only] [--duration S] [--warmup S] [--images DIR] [--json FILE]

        --url is the HTTP endpoint; --grpc-url the gRPC one (default: --url). grpc sends unary Classify calls,
        grpc-stream multiplexes all requests over one ClassifyStream (concurrency = items in flight).
        Remote mode sends the photographs in --images (default: benchmarks/images) as raw JPEG bodies and reports per
        point: throughput, p50/p90/p99/max latency, errors by status, mean server batch size, queue, inference and
        preprocessing time (the x-batch-size, x-queue-time-ms, x-inference-time-ms and x-preprocess-time-ms headers, or
        the gRPC timing fields). --concurrency runs a closed loop per value; --rate runs an open loop (requests/s) per
        value, latency measured from each request's scheduled time.
        --requests stops a closed-loop point after that many requests (warm-up included), e.g. for a memory soak.
        v2-json and v2-binary POST a preprocessed FP32 pixel_values tensor of --batch samples per request (default 1;
        a list makes one arm per size) to /v2/models/{--model}/infer, as JSON numbers or as Triton binary tensor data.
        --rounds N repeats every arm N times, interleaved (ABBA order), after one unmeasured warm-up pass per arm;
        --server-pid adds the server process's CPU seconds per request (utime + stime from /proc/PID/stat) to each point.
        --group size runs every point once per size class of the images (<1MP, 1-6MP, >=6MP, from the JPEG headers),
        --group image once per image, so that throughput and server preprocessing time are reported per size or file.

        --overload measures the closed-loop capacity at --concurrency (default 32), then offers MULTIPLE x that rate
        in an open loop over HTTP, each request with x-request-timeout-ms = --deadline-ms (default 1000), and beside it
        --high-rate requests/s (default 0: none) with x-request-priority: high. --arrivals picks how the overload
        arrives, one phase per pattern listed (default smooth): smooth spaces the requests evenly; burst fires
        --burst-clients requests together every --burst-period-ms (default 1000; clients default to MULTIPLE x capacity
        per period). It reports per phase goodput / capacity, the 429s, the 504s among the admitted requests and the
        5xx, and the high-priority p99 against the normal p99; with --server-pid, the cores the server and the load
        generator used in each phase and the server's CPU per served and (estimated) per refused request, then a phase
        of requests that are all refused in admission before their bodies are read, for the CPU of a refusal alone.
        --expect-continue sends every request of the scenario with Expect: 100-continue (bodies only once admitted).
        --api-key KEY (or the environment variable MOBILEVIT_API_KEY) sends a key to a server that needs one, as
        Authorization: Bearer on every HTTP request and gRPC call.

        In-process mode decodes, preprocesses and runs the model with no network, for every instances x threads x batch
        combination (CPU provider); the best point is the ceiling the service is measured against.
        """;

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var options = CommandLineOptions.Parse(args,
            ["url", "grpc-url", "protocol", "model", "concurrency", "rate", "requests", "duration", "warmup", "images", "group", "json", "source", "instances", "threads", "batch",
                "rounds", "server-pid", "overload", "deadline-ms", "high-rate", "arrivals", "burst-period-ms", "burst-clients", "api-key"],
            ["in-process", "inference-only", "expect-continue"]);
        var duration = TimeSpan.FromSeconds(Seconds(options, "duration", 15));
        var warmup = TimeSpan.FromSeconds(Seconds(options, "warmup", 3, allowZero: true));
        var images = BenchImages.Load(options.Get("images"));
        output.WriteLine($"images: {images.Images.Count} JPEGs, mean {images.MeanBytes / 1024:0} KiB ({string.Join(", ", images.GroupBy("size").Select(g => $"{g.Images.Count} {g.Label}"))}); {Environment.ProcessorCount} cores; warm-up {warmup.TotalSeconds:0.#}s, measure {duration.TotalSeconds:0.#}s per point");

        if (options.Has("in-process"))
            return RunInProcess(options, images, warmup, duration, output, error);
        return options.Has("overload")
            ? RunOverload(options, images, warmup, duration, output, error).GetAwaiter().GetResult()
            : RunRemote(options, images, warmup, duration, output, error).GetAwaiter().GetResult();
    }

    private static async Task<int> RunOverload(CommandLineOptions options, BenchImages images, TimeSpan warmup, TimeSpan duration, TextWriter output, TextWriter error)
    {
        var multiple = Number(options, "overload", 4);
        var highRate = Number(options, "high-rate", 0, allowZero: true);
        var deadlineMs = options.GetInt("deadline-ms") ?? 1000;
        if (deadlineMs < 1)
            throw new UsageException($"--deadline-ms must be a positive number of milliseconds, got {deadlineMs}.");
        var concurrency = options.GetIntList("concurrency") is [var c] ? c : options.Has("concurrency")
            ? throw new UsageException("--overload measures the capacity at one --concurrency value.")
            : 32;
        var arrivals = (options.Get("arrivals") ?? OverloadScenario.Smooth).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (arrivals.Length == 0 || arrivals.Any(a => a is not (OverloadScenario.Smooth or OverloadScenario.Burst)))
            throw new UsageException($"--arrivals takes smooth, burst or both (comma-separated), got '{options.Get("arrivals")}'.");
        var periodMs = options.GetInt("burst-period-ms") ?? 1000;
        if (periodMs < 1)
            throw new UsageException($"--burst-period-ms must be a positive number of milliseconds, got {periodMs}.");
        var burstClients = options.GetInt("burst-clients");
        if (burstClients < 1)
            throw new UsageException($"--burst-clients must be at least 1, got {burstClients}.");
        var scenario = new OverloadScenario(AbsoluteUrl(options.Required("url"), "url"), options.Get("model"), images, warmup, duration, error,
            options.GetInt("server-pid"), ApiKey(options));
        var report = await scenario.RunAsync(new OverloadScenario.Settings(concurrency, multiple, deadlineMs, highRate, arrivals,
            TimeSpan.FromMilliseconds(periodMs), burstClients, options.Has("expect-continue")));
        OverloadScenario.Write(output, report);
        if (options.Get("json") is { } json)
            BenchReport.WriteJson(json, new { kind = "overload", url = options.Get("url"), cores = Environment.ProcessorCount, report });
        return report.Phases.Any(p => p.Normal.Completed == 0) ? CliApp.ExitFailure : CliApp.ExitSuccess;
    }

    private static int RunInProcess(CommandLineOptions options, BenchImages images, TimeSpan warmup, TimeSpan duration, TextWriter output, TextWriter error)
    {
        var source = options.Get("source") ?? "synthetic:xxs";
        var modelOptions = new ModelOptions { Name = "bench", Source = source };
        if (!ModelSource.TryParse(source, out _, out var sourceError))
            throw new UsageException("--source: " + sourceError);
        using var http = new HttpClient();
        var hub = new HuggingFaceHubClient(http, HuggingFaceHubSettings.Resolve(new HuggingFaceOptions()), NullLogger<HuggingFaceHubClient>.Instance);
        var model = new ModelSourceResolver(hub, fallbackToSynthetic: false, NullLogger<ModelSourceResolver>.Instance)
            .ResolveAsync(modelOptions, CancellationToken.None).GetAwaiter().GetResult();

        var inferenceOnly = options.Has("inference-only");
        output.WriteLine($"in-process sweep of {model.Origin}{(inferenceOnly ? " (inference only, pre-made tensors)" : " (decode + preprocess + inference)")}");
        var benchmark = new InProcessBenchmark(model, images, warmup, duration, inferenceOnly, error);
        var points = benchmark.Sweep(options.GetIntList("instances") ?? [1, 2], options.GetIntList("threads") ?? [1, 2], options.GetIntList("batch") ?? [1, 2, 4, 8, 16]);
        BenchReport.WriteSweepTable(output, points);
        if (options.Get("json") is { } json)
            BenchReport.WriteJson(json, new { kind = "in-process", source = model.Origin, inferenceOnly, cores = Environment.ProcessorCount, points, best = points.MaxBy(p => p.Throughput) });
        return CliApp.ExitSuccess;
    }

    private static async Task<int> RunRemote(CommandLineOptions options, BenchImages images, TimeSpan warmup, TimeSpan duration, TextWriter output, TextWriter error)
    {
        var url = options.Required("url");
        var baseAddress = AbsoluteUrl(url, "url");
        var grpcAddress = options.Get("grpc-url") is { } grpcUrl ? AbsoluteUrl(grpcUrl, "grpc-url") : baseAddress;
        var protocols = (options.Get("protocol") ?? "http").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var rates = options.GetIntList("rate");
        var concurrency = options.GetIntList("concurrency") ?? (rates is null ? [1, 4, 16, 64] : []);

        var rounds = options.GetInt("rounds") ?? 1;
        var serverPid = options.GetInt("server-pid");
        if (rounds < 1)
            throw new UsageException("--rounds must be at least 1.");
        var batches = options.GetIntList("batch") ?? [1];
        var groups = images.GroupBy(options.Get("group") ?? "all");
        var clients = protocols.SelectMany(protocol => protocol.StartsWith("v2-", StringComparison.Ordinal)
            ? batches.Select(batch => CreateClient(protocol, baseAddress, grpcAddress, options.Get("model"), batch, ApiKey(options)))
            : [CreateClient(protocol, baseAddress, grpcAddress, options.Get("model"), 1, ApiKey(options))]).ToList();
        var points = new List<BenchPoint>();
        try
        {
            var interleaved = rounds > 1 || serverPid is not null;
            if (interleaved && warmup > TimeSpan.Zero)
            {
                // One unmeasured pass per arm, so that every measured point (and its CPU reading) is warm.
                foreach (var client in clients)
                    await new LoadRunner(client, images, TimeSpan.Zero, warmup, error).ClosedLoopAsync(concurrency.FirstOrDefault(1));
            }
            var pointWarmup = interleaved ? TimeSpan.Zero : warmup;
            for (var round = 0; round < rounds; round++)
            {
                foreach (var client in round % 2 == 0 ? clients : Enumerable.Reverse(clients))
                foreach (var group in groups)
                {
                    var runner = new LoadRunner(client, group, pointWarmup, duration, error);
                    foreach (var c in concurrency)
                    {
                        points.Add(await MeasureAsync(() => runner.ClosedLoopAsync(c, options.GetInt("requests")), serverPid));
                        error.WriteLine($"  done: {client.Protocol} {group.Label} c={c} round {round + 1}: {points[^1].Throughput:0.0} req/s");
                    }
                    foreach (var r in rates ?? [])
                    {
                        points.Add(await MeasureAsync(() => runner.OpenLoopAsync(r), serverPid));
                        error.WriteLine($"  done: {client.Protocol} {group.Label} rate={r}/s round {round + 1}: {points[^1].Throughput:0.0} req/s");
                    }
                }
            }
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
        BenchReport.WriteLoadTable(output, points);
        if (rounds > 1)
            BenchReport.WriteInterleavedSummary(output, points);
        if (options.Get("json") is { } json)
            BenchReport.WriteJson(json, new { kind = "load", url, cores = Environment.ProcessorCount, images = images.Images.Select(i => new { i.Name, i.Width, i.Height, bytes = i.Bytes.Length, i.SizeClass }), points });
        return points.Any(p => p.Completed == 0) ? CliApp.ExitFailure : CliApp.ExitSuccess;
    }

    /// <summary>The point, with the server's CPU seconds per completed request when its process id is known.</summary>
    private static async Task<BenchPoint> MeasureAsync(Func<Task<BenchPoint>> measure, int? serverPid)
    {
        if (serverPid is not { } pid)
            return await measure();
        var before = ProcessCpu.Seconds(pid);
        var point = await measure();
        var cpu = ProcessCpu.Seconds(pid) - before;
        return point with { ServerCpuSecondsPerRequest = point.Completed > 0 ? cpu / point.Completed : double.NaN };
    }

    private static IBenchClient CreateClient(string protocol, Uri httpAddress, Uri grpcAddress, string? model, int batch, string? apiKey) => protocol switch
    {
        "http" => new HttpBenchClient(httpAddress, model, apiKey: apiKey),
        "grpc" => new GrpcUnaryBenchClient(grpcAddress, model, apiKey),
        "grpc-stream" => new GrpcStreamBenchClient(grpcAddress, model, apiKey),
        "v2-json" or "v2-binary" => new V2TensorBenchClient(httpAddress,
            model ?? throw new UsageException($"--protocol {protocol} needs --model (the V2 protocol names the model)."), protocol == "v2-binary", batch, apiKey),
        _ => throw new UsageException($"--protocol '{protocol}' is not one of: http, grpc, grpc-stream, v2-json, v2-binary."),
    };

    /// <summary><c>--api-key</c>, else <c>MOBILEVIT_API_KEY</c> (which keeps the key out of the process list).</summary>
    private static string? ApiKey(CommandLineOptions options) =>
        options.Get("api-key") is { Length: > 0 } key ? key : Environment.GetEnvironmentVariable("MOBILEVIT_API_KEY") is { Length: > 0 } fromEnvironment ? fromEnvironment : null;

    private static Uri AbsoluteUrl(string text, string option) =>
        Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri)
            ? uri
            : throw new UsageException($"--{option} '{text}' is not an absolute URL.");

    private static double Seconds(CommandLineOptions options, string name, double fallback, bool allowZero = false) =>
        Number(options, name, fallback, allowZero, " of seconds");

    private static double Number(CommandLineOptions options, string name, double fallback, bool allowZero = false, string unit = "")
    {
        var text = options.Get(name);
        if (text is null)
            return fallback;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && (value > 0 || allowZero && value == 0)
            ? value
            : throw new UsageException($"option --{name} must be a {(allowZero ? "non-negative" : "positive")} number{unit}, got '{text}'.");
    }
}
