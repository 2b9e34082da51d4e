using System.Text;
using System.Text.Json;
using MobileViT.Service.Tests.Hostile;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.RequestPath;

/// <summary>
/// The batch endpoint works on a batch as it arrives: an image is queued on the model while the rest of the body has
/// not been sent, so a batch is never held whole. The body is sent chunked and held open after its first part.
/// </summary>
[Collection(NonParallelCollection.Name)]
public sealed class PartByPartBatchTests(RequestPathFixture fixture) : IClassFixture<RequestPathFixture>
{
    private const string Boundary = "batch-part-by-part";

    private static byte[] Part(string fileName, byte[] image) =>
    [
        .. Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"images\"; filename=\"{fileName}\"\r\nContent-Type: image/png\r\n\r\n"),
        .. image,
        .. "\r\n"u8.ToArray(),
    ];

    [Fact]
    public async Task The_first_image_is_queued_before_the_last_part_is_sent()
    {
        var batcher = fixture.Served.Batcher;
        await using var held = await HeldModel.StartAsync(fixture.Served, queued: 0);
        var queued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The first part, then the next part's boundary line, which ends the first: its headers and bytes do not exist yet.
        byte[] firstPart = [.. Part("first.png", TestImages.Png(48, 40, seed: 1)), .. Encoding.ASCII.GetBytes($"--{Boundary}\r\n")];
        byte[] rest = [.. Part("second.png", TestImages.Png(40, 48, seed: 2))[(Boundary.Length + 4)..], .. Encoding.ASCII.GetBytes($"--{Boundary}--\r\n")];
        var answer = new RawHttpClient(fixture.Service.BaseAddress).SendAsync($"/v1/models/{RequestPathFixture.Model}/classify/batch",
            [("Content-Type", $"multipart/form-data; boundary={Boundary}")], firstPart, contentLength: null, hold: queued.Task, rest: rest);

        // Behind the held batch, the first image waits in the queue: the server has started on the batch.
        await QueueWatch.UntilDepthAsync(batcher, 1);
        Assert.False(answer.IsCompleted);
        queued.SetResult();
        await held.DisposeAsync();

        var response = await answer.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(200, response.Status);
        using var json = JsonDocument.Parse(response.Body);
        var results = json.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["first.png", "second.png"], results.Select(r => r.GetProperty("fileName").GetString()));
        Assert.All(results, r => Assert.True(r.GetProperty("predictions").GetArrayLength() > 0));
    }
}
