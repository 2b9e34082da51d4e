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

    public IReadOnlyList<ExecutionProviderKind> ParseProviders() =>
        Providers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => Enum.TryParse<ExecutionProviderKind>(p, ignoreCase: true, out var kind)
                ? kind
                : throw new FormatException($"Unknown execution provider '{p}' (known: {string.Join(", ", Enum.GetNames<ExecutionProviderKind>())})."))
            .ToList();
}

public enum ExecutionProviderKind
{
    Cuda,
    Cpu,
}
