using System.Buffers;
using MobileViT.Inference.Serving;

namespace MobileViT.Service.Http;

/// <summary>One encoded image taken from a request body or a multipart part, in a pooled buffer returned on dispose.</summary>
public sealed class ImageUpload(byte[] pooledBuffer, int length, string? fileName) : IDisposable
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
public sealed class ImageUploads(IReadOnlyList<ImageUpload> images) : IDisposable
{
    public IReadOnlyList<ImageUpload> Images { get; } = images;

    /// <summary>The images as the inference core's input, which disposes them when the request ends.</summary>
    public InferenceInput ToInput() => new InferenceInput.EncodedImages(Images.Select(i => i.Bytes).ToList()) { Owner = this };

    public void Dispose()
    {
        foreach (var image in Images)
            image.Dispose();
    }
}
