namespace MobileViT.Inference.Models;

/// <summary>
/// A configured model and where it stands, as every protocol reports it (REST <c>/v1/models</c>, gRPC
/// <c>ListModels</c>, V2 metadata). Fields known only once the model is loaded are null before.
/// </summary>
public sealed record ModelDescription(
    string Name,
    string Source,
    string? Origin,
    bool? Synthetic,
    bool Default,
    bool Ready,
    string State,
    ModelDescription.InputShape? InputSize,
    int? LabelCount,
    string? ExecutionProvider,
    int? Instances,
    int? IntraOpThreads,
    ModelDescription.BatchingSettings Batching,
    string? Error,
    ModelDescription.TensorNames? Tensors = null,
    ModelDescription.PreprocessingSettings? Preprocessing = null)
{
    public sealed record InputShape(int Channels, int Height, int Width);

    /// <summary>The ONNX graph's input (preprocessed pixels) and output (logits) names.</summary>
    public sealed record TensorNames(string Input, string Output);

    /// <summary>
    /// How images are preprocessed: <c>exact</c> (bit-identical to Hugging Face + Pillow) or <c>fast</c> (reduced-scale
    /// JPEG decode), and on which threads (<c>worker</c> or <c>request</c>).
    /// </summary>
    public sealed record PreprocessingSettings(string Mode, string Placement);

    public sealed record BatchingSettings(int? MaxBatchSize, int MaxQueueDelayMs, int QueueCapacity, int RequestTimeoutMs);
}
