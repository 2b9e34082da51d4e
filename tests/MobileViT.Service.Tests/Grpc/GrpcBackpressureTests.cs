using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MobileViT.Inference.Models;
using MobileViT.Service.Grpc.V1;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Grpc;

/// <summary>
/// One slow instance (synthetic MobileViT-S, batch size 1) and a small queue, so requests wait behind each other:
/// a full queue is RESOURCE_EXHAUSTED, a deadline that passes in the queue is DEADLINE_EXCEEDED, a client that
/// cancels is CANCELLED, and in both of the last two cases the request never runs.
/// </summary>
public sealed class GrpcBackpressureTests : IAsyncLifetime
{
    private RunningService _service = null!;
    private GrpcChannel _channel = null!;
    private ServedModel _model = null!;

    public async Task InitializeAsync()
    {
        _service = await RunningService.StartAsync(RunningService.SlowModel());
        _channel = _service.CreateGrpcChannel();
        _service.Registry.TryGetLoaded("slow", out _model);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _service.DisposeAsync();
    }

    private Classifier.ClassifierClient Client => new(_channel);

    private static ClassifyRequest SmallImage() => new() { Image = ByteString.CopyFrom(TestImages.Png(32, 32)) };

    /// <summary>Three requests ahead (one running, two queued), then waits (bounded) until <paramref name="queued"/> are queued.</summary>
    private async Task<List<Task<ClassifyResponse>>> QueueAheadAsync()
    {
        var ahead = Enumerable.Range(0, RunningService.RequestsAhead).Select(_ => Client.ClassifyAsync(SmallImage()).ResponseAsync).ToList();
        await WaitForQueueDepthAsync(2);
        return ahead;
    }

    private async Task WaitForQueueDepthAsync(int depth)
    {
        for (var i = 0; i < 2000 && _model.Batcher.QueueDepth < depth; i++)
            await Task.Delay(5);
        Assert.True(_model.Batcher.QueueDepth >= depth, $"queue depth never reached {depth}");
    }

    /// <summary>
    /// After the requests ahead finished, one more request goes through: the queue is FIFO, so whatever was queued
    /// before it has been either run or dropped by then, and exactly ahead + 1 images ran if the abandoned one did not.
    /// </summary>
    private async Task AssertOnlyAheadAndProbeRanAsync(long imagesRunBefore, List<Task<ClassifyResponse>> ahead)
    {
        await Task.WhenAll(ahead);
        await Client.ClassifyAsync(SmallImage());
        Assert.Equal(ahead.Count + 1, _model.Batcher.ImagesRun - imagesRunBefore);
    }

    [Fact]
    public async Task A_deadline_that_passes_in_the_queue_is_deadline_exceeded_and_the_request_never_runs()
    {
        var before = _model.Batcher.ImagesRun;
        var ahead = await QueueAheadAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            Client.ClassifyAsync(SmallImage(), deadline: DateTime.UtcNow.AddMilliseconds(100)).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
        await AssertOnlyAheadAndProbeRanAsync(before, ahead);
    }

    [Fact]
    public async Task A_cancelled_call_is_cancelled_and_never_runs()
    {
        var before = _model.Batcher.ImagesRun;
        var ahead = await QueueAheadAsync();
        using var cancel = new CancellationTokenSource();

        var call = Client.ClassifyAsync(SmallImage(), cancellationToken: cancel.Token).ResponseAsync;
        await WaitForQueueDepthAsync(3);
        cancel.Cancel();

        var e = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.Cancelled, e.StatusCode);
        await AssertOnlyAheadAndProbeRanAsync(before, ahead);
    }

    [Fact]
    public async Task A_streamed_item_whose_timeout_passes_in_the_queue_gets_its_own_deadline_error()
    {
        var before = _model.Batcher.ImagesRun;
        var ahead = await QueueAheadAsync();
        using var call = Client.ClassifyStream();

        await call.RequestStream.WriteAsync(new ClassifyStreamRequest { Id = "late", Image = SmallImage().Image, TimeoutMs = 50 });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal("late", call.ResponseStream.Current.Id);
        Assert.Equal((int)StatusCode.DeadlineExceeded, call.ResponseStream.Current.Error.Code);

        // The stream is still usable after the item's error.
        await call.RequestStream.WriteAsync(new ClassifyStreamRequest { Id = "next", Image = SmallImage().Image });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(ClassifyStreamResponse.OutcomeOneofCase.Result, call.ResponseStream.Current.OutcomeCase);
        // ahead + "next" ran; "late" did not.
        await Task.WhenAll(ahead);
        Assert.Equal(RunningService.RequestsAhead + 1, _model.Batcher.ImagesRun - before);
    }

    [Fact]
    public async Task A_full_queue_is_resource_exhausted_and_admitted_calls_still_succeed()
    {
        var calls = Enumerable.Range(0, 40).Select(_ => Client.ClassifyAsync(SmallImage()).ResponseAsync).ToList();
        var outcomes = new List<StatusCode>();
        foreach (var call in calls)
        {
            try
            {
                await call;
                outcomes.Add(StatusCode.OK);
            }
            catch (RpcException e)
            {
                outcomes.Add(e.StatusCode);
            }
        }

        Assert.Contains(StatusCode.ResourceExhausted, outcomes);
        Assert.Contains(StatusCode.OK, outcomes);
        Assert.All(outcomes, s => Assert.True(s is StatusCode.OK or StatusCode.ResourceExhausted, s.ToString()));
    }
}
