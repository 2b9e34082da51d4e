namespace MobileViT.Inference.Configuration;

/// <summary><c>MobileViT:Limits</c>: what a single request may carry.</summary>
public sealed class ImageLimitsOptions
{
    /// <summary>Largest encoded image accepted (HTTP 413 beyond).</summary>
    public long MaxImageBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest decoded width x height, checked from the header before any pixel is decoded.</summary>
    public long MaxImagePixels { get; set; } = 40_000_000;

    /// <summary>Most images in one batch request.</summary>
    public int MaxImagesPerRequest { get; set; } = 64;
}
