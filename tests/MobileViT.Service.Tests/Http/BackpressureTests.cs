using System.Net;
using System.Net.Http.Headers;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Http;

/// <summary>
/// One slow instance (synthetic MobileViT-S, batch size 1) and a small queue, so that small images arrive far faster
/// than they are served: the queue fills (429). A deadline passing in the queue (504, never run) is shown exactly, on a
/// fake clock, by <c>RequestPath.OneRequestPathTests</c> for every protocol.
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
}
