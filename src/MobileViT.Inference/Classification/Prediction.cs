namespace MobileViT.Inference.Classification;

/// <summary>One class of a classification: its index, label and softmax probability.</summary>
public readonly record struct Prediction(int Index, string Label, float Score);
