using System.Buffers;
using System.Runtime.InteropServices;
using MobileViT.Inference.Limits;

namespace MobileViT.Inference.Tests.Limits;

public sealed class RequestBufferTests
{
    private static byte[] Data(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static void Fill(RequestBuffer buffer, byte[] data, int step)
    {
        for (var offset = 0; offset < data.Length; offset += step)
            buffer.Write(new ReadOnlySequence<byte>(data, offset, Math.Min(step, data.Length - offset)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(RequestBuffer.FirstChunkBytes)]
    [InlineData(RequestBuffer.FirstChunkBytes + 1)]
    [InlineData(3 * RequestBuffer.MaxChunkBytes + 12345)]
    public void The_bytes_come_back_as_one_block_as_they_were_written(int length)
    {
        var data = Data(length);
        var budget = new RequestMemoryBudget(64L << 20);
        using var lease = budget.Lease();
        using var buffer = new RequestBuffer(lease);
        Fill(buffer, data, 7777);

        Assert.Equal(length, buffer.Length);
        Assert.True(buffer.ToMemory().Span.SequenceEqual(data));
    }

    [Fact]
    public void Memory_follows_the_data_never_more_than_one_chunk_ahead_whatever_length_was_declared()
    {
        var budget = new RequestMemoryBudget(64L << 20);
        using var lease = budget.Lease();
        using var buffer = new RequestBuffer(lease, expectedLength: 2L << 30);
        var data = Data(5 * RequestBuffer.MaxChunkBytes + 3);
        for (var offset = 0; offset < data.Length; offset += 50_000)
        {
            buffer.Write(new ReadOnlySequence<byte>(data, offset, Math.Min(50_000, data.Length - offset)));
            Assert.InRange(budget.Held, buffer.Length, buffer.Length + RequestBuffer.MaxChunkBytes);
        }
    }

    [Fact]
    public void A_declared_length_up_to_one_chunk_sizes_the_first_chunk_so_that_no_copy_is_needed()
    {
        var budget = new RequestMemoryBudget(64L << 20);
        using var lease = budget.Lease();
        using var buffer = new RequestBuffer(lease, expectedLength: 300_000);
        var data = Data(300_000);
        Fill(buffer, data, 65_536);

        var block = buffer.ToMemory();
        Assert.True(MemoryMarshal.TryGetArray(block, out var segment));
        Assert.Equal(0, segment.Offset);
        Assert.True(block.Span.SequenceEqual(data));
        Assert.Equal(524_288, budget.Held);
    }

    [Fact]
    public void Joining_chunks_reserves_the_block_first_and_then_gives_the_chunks_back()
    {
        var budget = new RequestMemoryBudget(64L << 20);
        using var lease = budget.Lease();
        var buffer = new RequestBuffer(lease);
        Fill(buffer, Data(3_000_000), 100_000);

        buffer.ToMemory();
        Assert.Equal(3_000_000, budget.Held);

        buffer.Dispose();
        Assert.Equal(0, budget.Held);
    }

    [Fact]
    public void A_refused_chunk_leaves_the_budget_as_it_was()
    {
        var budget = new RequestMemoryBudget(100_000);
        using var lease = budget.Lease();
        using var buffer = new RequestBuffer(lease);
        using var other = budget.Lease();
        other.Reserve(60_000);

        Fill(buffer, Data(32_768), 32_768);
        Assert.Throws<MemoryBudgetExceededException>(() => buffer.Write(new ReadOnlySequence<byte>(new byte[1])));

        Assert.Equal(60_000 + 32_768, budget.Held);
    }

    [Theory]
    [InlineData(3 * 256 * 256, 0)]
    [InlineData(3 * 256 * 256, 3 * 256 * 256 * 4)]
    [InlineData(400_000, 0)]
    public void Floats_are_read_little_endian_from_one_chunk_or_several(int count, int declaredBytes)
    {
        var values = Enumerable.Range(0, count).Select(i => i * 0.25f - 7).ToArray();
        var budget = new RequestMemoryBudget(64L << 20);
        using var lease = budget.Lease();
        using var buffer = new RequestBuffer(lease, declaredBytes);
        Fill(buffer, MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), 33_333);

        var floats = buffer.ToFloats();
        Assert.Equal(values, floats.ToArray());
        using (var pinned = floats.Pin())
        {
            unsafe
            {
                Assert.Equal(values[0], *(float*)pinned.Pointer);
            }
        }
    }
}
