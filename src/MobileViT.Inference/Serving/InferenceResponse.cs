using MobileViT.Inference.Batching;
using MobileViT.Inference.Classification;
using MobileViT.Inference.Models;

namespace MobileViT.Inference.Serving;

/// <summary>The model that served a request and each sample's result, in the order sent.</summary>
public sealed record InferenceResponse(ServedModel Model, IReadOnlyList<SampleResult> Samples)
{
    /// <summary>The first failed sample's error, or null when every sample succeeded.</summary>
    public InferenceException? FirstError => Samples.FirstOrDefault(s => s.Error is not null)?.Error;

    /// <summary>The largest server batch any sample ran in.</summary>
    public int LargestBatch => Samples.Max(s => s.Inference?.BatchSize ?? 0);
}

/// <summary>
/// One sample's outcome: its inference (logits and how it was served) and, for <see cref="OutputKind.TopK"/>, its
/// predictions; or the error it got.
/// </summary>
public sealed record SampleResult(InferenceResult? Inference, Prediction[]? Predictions, TimeSpan PreprocessTime, InferenceException? Error)
{
    /// <summary>The successful result; throws the sample's error otherwise.</summary>
    public InferenceResult Succeeded() => Error is null ? Inference! : throw Error;
}
