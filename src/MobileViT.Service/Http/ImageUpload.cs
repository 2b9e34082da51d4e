using System.Buffers;
using MobileViT.Inference.Serving;

namespace MobileViT.Service.Http;

/// <summary>One encoded image taken from a request body or a multipart part, in a pooled buffer returned on dispose.</summary>
internal sealed class ImageUpload(byte[] pooledBuffer, int length, string? fileName) : IDisposable
{
    private byte[]? _buffer = pooledBuffer;

    public ReadOnlyMemory<byte> Bytes => (_buffer ?? throw new ObjectDisposedException(nameof(ImageUpload))).AsMemory(0, length);

    public string? FileName { get; } = fileName;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
            ArrayPool<byte>.Shared.Return(buffer);
    }
}

/// <summary>The images of one request, in the order sent; disposing returns every buffer to the pool.</summary>
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
