using MobileViT.Inference.Batching;

namespace MobileViT.Inference.Classification;

/// <summary>The top-k classes of one image and how the request was served.</summary>
public sealed record ClassificationResult(string Model, bool Synthetic, Prediction[] Predictions, InferenceResult Inference, TimeSpan PreprocessTime);
