using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MobileViT.Inference.Limits;
using MobileViT.Service.Http;

namespace MobileViT.Service.Tests.Hostile;

/// <summary>
/// The batch reader's part-by-part form, which lets a batch be worked on as it arrives: each image is yielded as soon
/// as its part has ended, before the next part's bytes exist, and holds its own share of the request memory budget
/// until it is disposed. The body is a pipe written piece by piece, as a socket delivers it.
/// </summary>
public sealed class PartByPartReadingTests
{
    private const string Boundary = "part-by-part";

    private static byte[] Part(int index, int length) =>
    [
        .. Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"images\"; filename=\"{index}.jpg\"\r\n\r\n"),
        .. Enumerable.Repeat((byte)index, length),
        .. "\r\n"u8.ToArray(),
    ];

    private static (DefaultHttpContext Context, Pipe Body, RequestMemoryBudget Budget) Request()
    {
        var budget = new RequestMemoryBudget(64L << 20);
        var body = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddSingleton(budget).BuildServiceProvider() };
        context.Request.ContentType = $"multipart/form-data; boundary={Boundary}";
        context.Request.Body = body.Reader.AsStream();
        return (context, body, budget);
    }

    [Fact]
    public async Task Each_image_is_yielded_when_its_part_ends_and_gives_its_memory_back_when_disposed()
    {
        var (context, body, budget) = Request();
        await using var images = ImageUploadReader.ReadEachAsync(context.Request, 1_000_000, 4, CancellationToken.None).GetAsyncEnumerator();

        await body.Writer.WriteAsync(Part(1, 300_000));
        // The next part's boundary line has arrived, not yet its headers or bytes.
        await body.Writer.WriteAsync(Encoding.ASCII.GetBytes($"--{Boundary}\r\n"));
        Assert.True(await images.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        var first = images.Current;
        Assert.Equal("1.jpg", first.FileName);
        Assert.Equal(300_000, first.Bytes.Length);
        var heldByFirst = budget.Held;
        Assert.InRange(heldByFirst, 300_000, 300_000 + RequestBuffer.MaxChunkBytes);

        var second = images.MoveNextAsync();
        Assert.False(second.IsCompleted);
        first.Dispose();
        Assert.Equal(0, budget.Held);

        await body.Writer.WriteAsync(Part(2, 200_000)[(Boundary.Length + 4)..]);
        await body.Writer.WriteAsync(Encoding.ASCII.GetBytes($"--{Boundary}--\r\n"));
        await body.Writer.CompleteAsync();
        Assert.True(await second.AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        using (var image = images.Current)
            Assert.True(image.Bytes.Span.IndexOfAnyExcept((byte)2) < 0);
        Assert.False(await images.MoveNextAsync());
        Assert.Equal(0, budget.Held);
    }

    [Fact]
    public async Task The_whole_batch_read_still_gives_every_image_in_order()
    {
        var (context, body, budget) = Request();
        byte[] whole = [.. Part(1, 1000), .. Part(2, 2000), .. Part(3, 3000), .. Encoding.ASCII.GetBytes($"--{Boundary}--\r\n")];
        await body.Writer.WriteAsync(whole);
        await body.Writer.CompleteAsync();

        using (var uploads = await ImageUploadReader.ReadAsync(context.Request, 1_000_000, 4, CancellationToken.None))
        {
            Assert.Equal([1000, 2000, 3000], uploads.Images.Select(i => i.Bytes.Length));
            Assert.True(budget.Held > 0);
        }
        Assert.Equal(0, budget.Held);
    }
}
