using MobileViT.Inference.Limits;
using MobileViT.Inference.Serving;

namespace MobileViT.Service.Http;

/// <summary>
/// One encoded image taken from a request body or a multipart part: its bytes, and the share of the request memory
/// budget they hold. Disposing gives both back (large buffers to the GC, not to a pool that would keep them).
/// </summary>
internal sealed class ImageUpload(RequestBuffer buffer, RequestMemoryLease lease, string? fileName) : IDisposable
{
    private readonly ReadOnlyMemory<byte> _bytes = buffer.ToMemory();
    private int _disposed;

    public ReadOnlyMemory<byte> Bytes => _disposed == 0 ? _bytes : throw new ObjectDisposedException(nameof(ImageUpload));

    public string? FileName { get; } = fileName;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        buffer.Dispose();
        lease.Dispose();
    }
}

/// <summary>The images of one request, in the order sent; disposing gives back every buffer and budget share.</summary>
internal sealed class ImageUploads(IReadOnlyList<ImageUpload> images) : IDisposable
{
    public IReadOnlyList<ImageUpload> Images { get; } = images;

    /// <summary>The images as the inference core's input; they must stay undisposed until the request has run.</summary>
    public InferenceInput ToInput() => new InferenceInput.EncodedImages(Images.Select(i => i.Bytes).ToList());

    public void Dispose()
    {
        foreach (var image in Images)
            image.Dispose();
    }
}
