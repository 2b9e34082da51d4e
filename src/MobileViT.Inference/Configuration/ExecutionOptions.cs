namespace MobileViT.Inference.Configuration;

/// <summary><c>MobileViT:Execution</c>: ONNX Runtime sessions behind each model.</summary>
public sealed class ExecutionOptions
{
    /// <summary>Execution providers in order of preference, comma separated: <c>CUDA,CPU</c>. Each instance uses the first that initialises.</summary>
    public string Providers { get; set; } = "CUDA,CPU";

    /// <summary>Sessions per model running batches concurrently: a number, or <c>auto</c>.</summary>
    public string Instances { get; set; } = "auto";

    /// <summary>ONNX Runtime intra-op threads per session: a number, or <c>auto</c>.</summary>
    public string IntraOpThreads { get; set; } = "auto";

    public int CudaDeviceId { get; set; } = 0;

    /// <summary>
    /// <c>off</c> (the default: starts stay fast) or <c>auto</c>: each model's warm-up sweeps instances x intra-op
    /// threads x max batch size for the provider in use and keeps the best throughput within
    /// <see cref="TuningLatencyBudgetMs"/>, overriding <see cref="Instances"/>, <see cref="IntraOpThreads"/> and
    /// <c>Batching:MaxBatchSize</c>.
    /// </summary>
    public string Tuning { get; set; } = "off";

    /// <summary>At most this long per model for the sweep (session set-up included); readiness waits for it.</summary>
    public double TuningBudgetSeconds { get; set; } = 20;

    /// <summary>A candidate qualifies when its median batch time (what one image waits for inference under full load) is within this.</summary>
    public double TuningLatencyBudgetMs { get; set; } = 100;

    /// <summary>Whether <see cref="Tuning"/> is <c>auto</c>; null when it is neither <c>auto</c> nor <c>off</c>.</summary>
    public bool? ParseTuning() => Tuning?.Trim().ToLowerInvariant() switch
    {
        "auto" => true,
        "off" => false,
        _ => null,
    };

    /// <summary>
    /// Where an encoded image is decoded and preprocessed: <c>Auto</c> (the default: <c>Worker</c> on CPU, <c>Request</c>
    /// on CUDA), <c>Worker</c> (by the instance's own thread, straight into its input, just before the run) or
    /// <c>Request</c> (by the thread handling the request, before it is queued).
    /// </summary>
    public string Preprocessing { get; set; } = "auto";

    public PreprocessingPlacement ParsePreprocessing() =>
        Enum.TryParse<PreprocessingPlacement>(Preprocessing?.Trim(), ignoreCase: true, out var placement) && Enum.IsDefined(placement)
            ? placement
            : throw new FormatException($"Unknown preprocessing placement '{Preprocessing}' (known: auto, worker, request).");

    /// <summary><see cref="PreprocessingPlacement.Auto"/> resolved for the provider the instances got.</summary>
    public PreprocessingPlacement ResolvePreprocessing(bool onGpu) => ParsePreprocessing() switch
    {
        PreprocessingPlacement.Auto => onGpu ? PreprocessingPlacement.Request : PreprocessingPlacement.Worker,
        var placement => placement,
    };

    public IReadOnlyList<ExecutionProviderKind> ParseProviders() =>
        Providers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => Enum.TryParse<ExecutionProviderKind>(p, ignoreCase: true, out var kind)
                ? kind
                : throw new FormatException($"Unknown execution provider '{p}' (known: {string.Join(", ", Enum.GetNames<ExecutionProviderKind>())})."))
            .ToList();
}

/// <summary>
/// On CPU, where every core already runs an instance, decoding on request threads only takes time slices from the
/// sessions (measured, XXS, 2 cores: ~9% less throughput in process, ~6% in the service; docs/benchmarks.md). On a GPU the
/// instance threads mostly wait for the device, so preprocessing on request threads overlaps with it instead.
/// </summary>
public enum PreprocessingPlacement
{
    Auto,
    Worker,
    Request,
}

public enum ExecutionProviderKind
{
    Cuda,
    Cpu,
}
