using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace MobileViT.Inference.Limits;

/// <summary>
/// The bytes of one request body, part or header, kept as they arrive: in chunks of at most <see cref="MaxChunkBytes"/>,
/// each reserved on the request's <see cref="RequestMemoryLease"/> before it is allocated, so memory follows the data
/// (never more than one chunk ahead of it) whatever length was declared. Chunks come from a small pool of their own,
/// which keeps at most a few MiB after a burst. <see cref="ToMemory"/> and <see cref="ToFloats"/> give the bytes as one
/// block: a single chunk as it is, several copied once into an unpooled array the GC gives back after the request
/// (a shared pool would keep every large array it ever lent).
/// </summary>
public sealed class RequestBuffer(RequestMemoryLease lease, long expectedLength = 0) : IDisposable
{
    public const int FirstChunkBytes = 16 * 1024;
    public const int MaxChunkBytes = 1024 * 1024;

    /// <summary>Bounded: at most 8 arrays per power-of-two size up to 1 MiB are kept (16 MiB at most), whatever the load was.</summary>
    private static readonly ArrayPool<byte> ChunkPool = ArrayPool<byte>.Create(MaxChunkBytes, maxArraysPerBucket: 8);

    private readonly List<byte[]> _chunks = [];
    private int _lastUsed;
    private long _chunkBytes;
    private Array? _block;
    private long _blockBytes;

    public long Length { get; private set; }

    /// <summary>Space for the next bytes: the rest of the last chunk, or a new chunk (reserved first; throws when the budget refuses).</summary>
    public Memory<byte> GetMemory()
    {
        if (_block is not null)
            throw new InvalidOperationException("The buffer was already made into one block.");
        if (_chunks.Count == 0 || _lastUsed == _chunks[^1].Length)
            AddChunk();
        return _chunks[^1].AsMemory(_lastUsed);
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _chunks.Count == 0 ? 0 : _chunks[^1].Length - _lastUsed);
        _lastUsed += count;
        Length += count;
    }

    public void Write(ReadOnlySequence<byte> data)
    {
        foreach (var segment in data)
        {
            var span = segment.Span;
            while (!span.IsEmpty)
            {
                var target = GetMemory().Span;
                var count = Math.Min(target.Length, span.Length);
                span[..count].CopyTo(target);
                Advance(count);
                span = span[count..];
            }
        }
    }

    /// <summary>The bytes as one block; valid until the buffer is disposed.</summary>
    public ReadOnlyMemory<byte> ToMemory()
    {
        if (_block is byte[] block)
            return block;
        if (_block is not null)
            throw new InvalidOperationException("The buffer was already made into floats.");
        if (_chunks.Count <= 1)
            return _chunks.Count == 0 ? ReadOnlyMemory<byte>.Empty : _chunks[0].AsMemory(0, _lastUsed);
        var bytes = AllocateBlock<byte>(Length);
        CopyChunksTo(bytes);
        return bytes;
    }

    /// <summary>
    /// The bytes as little-endian FP32 values (<see cref="Length"/> must be a multiple of 4): a single chunk seen as
    /// floats where it is (a tensor of one sample is), several copied into an array of their own.
    /// </summary>
    public ReadOnlyMemory<float> ToFloats()
    {
        if (_block is float[] floats)
            return floats;
        if (_block is not null || Length % sizeof(float) != 0)
            throw new InvalidOperationException("The buffer is not a whole number of floats, or was already made into bytes.");
        if (_chunks.Count == 1)
            return new FloatView(_chunks[0], _lastUsed / sizeof(float)).Memory;
        var values = AllocateBlock<float>(Length / sizeof(float));
        CopyChunksTo(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private T[] AllocateBlock<T>(long count)
        where T : unmanaged
    {
        var bytes = count * Marshal.SizeOf<T>();
        if (count > Array.MaxLength)
            throw new RequestTooLargeException($"A request tensor or body of {bytes} bytes is more than one array can hold.");
        lease.Reserve(bytes);
        var block = GC.AllocateUninitializedArray<T>((int)count);
        _block = block;
        _blockBytes = bytes;
        return block;
    }

    private void CopyChunksTo(Span<byte> target)
    {
        var offset = 0;
        for (var i = 0; i < _chunks.Count; i++)
        {
            var used = i == _chunks.Count - 1 ? _lastUsed : _chunks[i].Length;
            _chunks[i].AsSpan(0, used).CopyTo(target[offset..]);
            offset += used;
        }
        ReturnChunks();
    }

    private void AddChunk()
    {
        var wanted = _chunks.Count == 0 && expectedLength > 0
            ? Math.Min(expectedLength, MaxChunkBytes)
            : Math.Clamp(Length, FirstChunkBytes, MaxChunkBytes);
        // The pool hands out powers of two: reserve what it will hand out.
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(wanted, 16));
        lease.Reserve(size);
        _chunkBytes += size;
        _chunks.Add(ChunkPool.Rent(size));
        _lastUsed = 0;
    }

    private void ReturnChunks()
    {
        foreach (var chunk in _chunks)
            ChunkPool.Return(chunk);
        _chunks.Clear();
        lease.Release(_chunkBytes);
        _chunkBytes = 0;
    }

    public void Dispose()
    {
        ReturnChunks();
        if (_block is not null)
        {
            _block = null;
            lease.Release(_blockBytes);
            _blockBytes = 0;
        }
    }

    /// <summary>The first <c>count</c> floats of a byte array (8-byte aligned, so every float is aligned), without a copy.</summary>
    private sealed unsafe class FloatView(byte[] bytes, int count) : MemoryManager<float>
    {
        public override Span<float> GetSpan() => MemoryMarshal.Cast<byte, float>(bytes.AsSpan(0, count * sizeof(float)));

        public override MemoryHandle Pin(int elementIndex = 0)
        {
            var handle = GCHandle.Alloc(bytes, GCHandleType.Pinned);
            return new MemoryHandle((float*)handle.AddrOfPinnedObject() + elementIndex, handle, this);
        }

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
