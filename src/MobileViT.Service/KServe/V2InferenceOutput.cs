namespace MobileViT.Service.KServe;

/// <summary>The <c>logits</c> output, [BatchSize, ClassCount] row-major, and the largest server batch any sample shared.</summary>
public sealed record V2InferenceOutput(string OutputName, int BatchSize, int ClassCount, float[] Logits, int LargestServerBatch);
