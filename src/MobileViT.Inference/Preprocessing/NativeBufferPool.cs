using System.Runtime.InteropServices;

namespace MobileViT.Inference.Preprocessing;

/// <summary>A native buffer, freed on dispose (or returned to the pool it came from).</summary>
internal sealed unsafe class NativeBuffer : IDisposable
{
    private readonly NativeBufferPool? _pool;

    internal NativeBuffer(nuint capacity, NativeBufferPool? pool)
    {
        Pointer = (byte*)NativeMemory.Alloc(capacity);
        Capacity = capacity;
        _pool = pool;
    }

    public byte* Pointer { get; private set; }
    public nuint Capacity { get; }

    public void Dispose()
    {
        if (_pool is not null && _pool.TryKeep(this))
            return;
        Free();
    }

    internal void Free()
    {
        if (Pointer != null)
            NativeMemory.Free(Pointer);
        Pointer = null;
    }
}

/// <summary>
/// Keeps a few large decode buffers alive between images. A fresh 36 MB allocation for a 12-megapixel decode costs
/// ~15 ms of page faults on this VM (measured: libturbojpeg decode 37 ms into a reused buffer, 52 ms into a new one),
/// so the buffers are kept: at most one per core, each at most <see cref="MaxRetainedBytes"/>.
/// </summary>
internal sealed class NativeBufferPool(int slots)
{
    /// <summary>Buffers larger than this (more than a 16 MP RGBA image) are freed after use instead of kept.</summary>
    public const long MaxRetainedBytes = 64L << 20;

    /// <summary>Extra bytes past the end of every buffer, so vector loads of the last pixels may read a little beyond them.</summary>
    public const int Padding = 64;

    private readonly NativeBuffer?[] _slots = new NativeBuffer?[slots];

    public static NativeBufferPool Shared { get; } = new(Math.Max(1, Environment.ProcessorCount));

    public NativeBuffer Rent(nuint bytes)
    {
        nuint needed = bytes + Padding;
        for (int i = 0; i < _slots.Length; i++)
        {
            var buffer = Interlocked.Exchange(ref _slots[i], null);
            if (buffer is null)
                continue;
            if (buffer.Capacity >= needed)
                return buffer;
            buffer.Free();
            break;
        }
        return new NativeBuffer(needed, (long)needed <= MaxRetainedBytes ? this : null);
    }

    internal bool TryKeep(NativeBuffer buffer)
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _slots[i], buffer, null) is null)
                return true;
        }
        return false;
    }
}
