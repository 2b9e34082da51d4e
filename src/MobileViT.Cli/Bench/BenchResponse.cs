namespace MobileViT.Cli.Bench;

/// <summary>What one request returned: success or a status name, and the server's own account of how it was served.</summary>
public readonly record struct BenchResponse(bool Success, string Status, double BatchSize = double.NaN, double QueueMs = double.NaN, double InferenceMs = double.NaN, double PreprocessMs = double.NaN);
