namespace MobileViT.Inference.Serving;

/// <summary>
/// A value the client sent, made fit for an error message: messages reach the response, traces and possibly logs, so
/// a name, header or boundary the client made megabytes long is cut to its start and its length.
/// </summary>
public static class ClientText
{
    public const int MaxLength = 64;

    public static string Excerpt(string? value) => value is null
        ? "(none)"
        : value.Length <= MaxLength ? value : $"{value[..MaxLength]}... ({value.Length} characters)";

    /// <summary>A shape as <c>[a,b,c]</c>, or its first dimensions and their count when it has many.</summary>
    public static string Shape(IReadOnlyList<long> shape) => shape.Count <= 8
        ? $"[{string.Join(",", shape)}]"
        : $"[{string.Join(",", shape.Take(8))},...] ({shape.Count} dimensions)";
}
