namespace MobileViT.Inference.Configuration;

/// <summary><c>MobileViT:Limits</c>: what a single request may carry, and what all requests together may hold in memory.</summary>
public sealed class ImageLimitsOptions
{
    /// <summary>Largest encoded image accepted (HTTP 413 beyond).</summary>
    public long MaxImageBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest decoded width x height, checked from the header before any pixel is decoded.</summary>
    public long MaxImagePixels { get; set; } = 40_000_000;

    /// <summary>Most images in one batch request.</summary>
    public int MaxImagesPerRequest { get; set; } = 64;

    /// <summary>
    /// The process-wide budget of request bytes held in memory (bodies, parts and tensors made from them). Unset: a
    /// quarter of the container's memory limit, or 1 GiB outside a limited container (<c>Limits/RequestMemorySize</c>).
    /// </summary>
    public long? RequestMemoryBytes { get; set; }

    /// <summary>Room in a request body besides its images: multipart headers and boundaries, a V2 JSON header.</summary>
    public const long EnvelopeBytes = 64 * 1024;

    /// <summary>Upper bounds that keep the products below far from overflow and every image within one array.</summary>
    public const long MaxImageBytesLimit = 1L << 30;

    public const int MaxImagesPerRequestLimit = 4096;

    /// <summary>Largest body of a request of several images (a batch, a V2 inference request): that many of the largest images and their envelope.</summary>
    public long MaxRequestBodyBytes => MaxImageBytes * MaxImagesPerRequest + EnvelopeBytes;
}
