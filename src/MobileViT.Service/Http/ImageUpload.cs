using System.Buffers;

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
