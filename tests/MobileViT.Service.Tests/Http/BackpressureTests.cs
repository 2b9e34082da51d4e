using System.Net;
using System.Net.Http.Headers;
using MobileViT.Inference.Models;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Http;

/// <summary>
/// One slow instance (synthetic MobileViT-S, batch size 1) and a small queue, so that small images arrive far faster
/// than they are served: the queue fills (429) and a request behind it outlives a short deadline (504).
/// </summary>
public sealed class BackpressureTests : IAsyncLifetime
{
    private RunningService _service = null!;

    public async Task InitializeAsync() => _service = await RunningService.StartAsync(RunningService.SlowModel());

    public async Task DisposeAsync() => await _service.DisposeAsync();

    private static ByteArrayContent SmallPng()
    {
        var content = new ByteArrayContent(TestImages.Png(32, 32));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    [Fact]
    public async Task A_full_queue_answers_429_with_retry_after_and_admitted_requests_still_succeed()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => _service.Client.PostAsync("v1/classify", SmallPng())));

        var rejected = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(rejected);
        Assert.All(rejected, r =>
        {
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            Assert.True(r.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        });
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.TooManyRequests), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_request_whose_deadline_passes_in_the_queue_is_504_and_not_run()
    {
        _service.Registry.TryGetLoaded("slow", out ServedModel model);
        var imagesRunBefore = model.Batcher.ImagesRun;
        var ahead = Enumerable.Range(0, RunningService.RequestsAhead).Select(_ => _service.Client.PostAsync("v1/classify", SmallPng())).ToList();
        // Wait (bounded) until requests are actually queued behind the running one.
        for (var i = 0; i < 2000 && model.Batcher.QueueDepth < 2; i++)
            await Task.Delay(5);
        Assert.True(model.Batcher.QueueDepth >= 2, "requests never queued");

        using var late = await _service.Client.PostAsync("v1/classify?timeoutMs=5", SmallPng());

        Assert.Equal(HttpStatusCode.GatewayTimeout, late.StatusCode);
        Assert.Equal("application/problem+json", late.Content.Headers.ContentType?.MediaType);
        var finished = await Task.WhenAll(ahead);
        Assert.All(finished, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        // The queue is FIFO: once one more request has run, whatever was queued before it has run or been dropped.
        // Exactly the requests ahead plus that probe ran, so the late request never did.
        using var probe = await _service.Client.PostAsync("v1/classify", SmallPng());
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        Assert.Equal(RunningService.RequestsAhead + 1, model.Batcher.ImagesRun - imagesRunBefore);
    }
}
