using MobileViT.Inference.Classification;
using MobileViT.Inference.Models;

namespace MobileViT.Service.Http;

/// <summary>One class: index into the model's labels, the label, and its softmax probability.</summary>
public sealed record PredictionDto(int Index, string Label, float Score)
{
    public static PredictionDto From(Prediction p) => new(p.Index, p.Label, p.Score);
}

/// <summary>Top-k classes of one image, most probable first. <c>synthetic</c> is true when the model has random weights.</summary>
public sealed record ClassifyResponse(string Model, bool Synthetic, IReadOnlyList<PredictionDto> Predictions);

/// <summary>One image of a batch request: predictions, or the error that image got.</summary>
public sealed record BatchItemResult(int Index, string? FileName, IReadOnlyList<PredictionDto>? Predictions, BatchItemError? Error);

public sealed record BatchItemError(int Status, string Title, string Detail);

/// <summary>Results in the order the images were sent.</summary>
public sealed record BatchClassifyResponse(string Model, bool Synthetic, IReadOnlyList<BatchItemResult> Results);

public sealed record ModelListResponse(string DefaultModel, IReadOnlyList<ModelDescription> Models);
