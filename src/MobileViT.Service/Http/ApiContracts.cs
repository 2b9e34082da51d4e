using MobileViT.Inference.Classification;

namespace MobileViT.Service.Http;

/// <summary>One class: index into the model's labels, the label, and its softmax probability.</summary>
internal sealed record PredictionDto(int Index, string Label, float Score)
{
    public static PredictionDto From(Prediction p) => new(p.Index, p.Label, p.Score);
}

/// <summary>
/// Top-k classes of one image, most probable first, and the model version that answered. <c>synthetic</c> is true when
/// the model has random weights. <c>crop</c> (with <c>include=crop</c>) is the crop the model was given, a base64 PNG.
/// </summary>
internal sealed record ClassifyResponse(string Model, int Version, bool Synthetic, IReadOnlyList<PredictionDto> Predictions, CropImage? Crop = null);

/// <summary>One image of a batch request: predictions, or the error that image got.</summary>
internal sealed record BatchItemResult(int Index, string? FileName, IReadOnlyList<PredictionDto>? Predictions, BatchItemError? Error);

internal sealed record BatchItemError(int Status, string Title, string Detail);

/// <summary>Results in the order the images were sent, all from one version of the model.</summary>
internal sealed record BatchClassifyResponse(string Model, int Version, bool Synthetic, IReadOnlyList<BatchItemResult> Results);

internal sealed record ModelListResponse(string DefaultModel, IReadOnlyList<ModelInfo> Models);
