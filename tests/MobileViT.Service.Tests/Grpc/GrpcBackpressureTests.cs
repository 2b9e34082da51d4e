using Google.Protobuf;
using Grpc.Core;
using MobileViT.Service.Grpc.V1;
using MobileViT.Service.Tests.Infrastructure;
using MobileViT.Service.Tests.RequestPath;

namespace MobileViT.Service.Tests.Grpc;

/// <summary>
/// The classifier's gRPC calls behind a model held busy (<see cref="HeldModel"/>) on a fake clock: a client deadline that
/// passes in the queue is DEADLINE_EXCEEDED, a streamed item's own timeout is that item's error, and a full queue is
/// RESOURCE_EXHAUSTED; a request that never got to run never runs.
/// </summary>
[Collection(NonParallelCollection.Name)]
public sealed class GrpcBackpressureTests(RequestPathFixture fixture) : IClassFixture<RequestPathFixture>
{
    private Classifier.ClassifierClient Client => new(fixture.Channel);

    private static ClassifyRequest SmallImage() => new() { Model = RequestPathFixture.Model, Image = ByteString.CopyFrom(TestImages.Png(32, 32)) };

    [Fact]
    public async Task A_client_deadline_that_passes_in_the_queue_is_deadline_exceeded_and_the_request_never_runs()
    {
        var before = fixture.Served.Batcher.ImagesRun;
        var held = await HeldModel.StartAsync(fixture.Served, queued: 0);
        // Far in the future in real time, so only the service's clock, here the fake one, can make it pass.
        var deadline = TimeSpan.FromHours(1);

        var call = Client.ClassifyAsync(SmallImage(), deadline: DateTime.UtcNow + deadline).ResponseAsync;
        await QueueWatch.UntilDepthAsync(fixture.Served.Batcher, 1);
        // The fake clock started when the fixture did, so it trails real time a little: move it well past the deadline.
        fixture.Clock.Advance(2 * deadline);

        var e = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
        await held.DisposeAsync();
        await Client.ClassifyAsync(SmallImage());
        // The held gate and the last request ran; the expired one did not.
        Assert.Equal(2, fixture.Served.Batcher.ImagesRun - before);
    }

    [Fact]
    public async Task A_streamed_item_whose_timeout_passes_in_the_queue_gets_its_own_deadline_error_and_the_stream_goes_on()
    {
        var before = fixture.Served.Batcher.ImagesRun;
        var held = await HeldModel.StartAsync(fixture.Served, queued: 0);
        using var call = Client.ClassifyStream();

        await call.RequestStream.WriteAsync(new ClassifyStreamRequest { Id = "late", Model = RequestPathFixture.Model, Image = SmallImage().Image, TimeoutMs = 50 });
        await QueueWatch.UntilDepthAsync(fixture.Served.Batcher, 1);
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(50));
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal("late", call.ResponseStream.Current.Id);
        Assert.Equal((int)StatusCode.DeadlineExceeded, call.ResponseStream.Current.Error.Code);

        await held.DisposeAsync();
        await call.RequestStream.WriteAsync(new ClassifyStreamRequest { Id = "next", Model = RequestPathFixture.Model, Image = SmallImage().Image });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(ClassifyStreamResponse.OutcomeOneofCase.Result, call.ResponseStream.Current.OutcomeCase);
        // The held gate and "next" ran; "late" did not.
        Assert.Equal(2, fixture.Served.Batcher.ImagesRun - before);
    }

    [Fact]
    public async Task A_full_queue_is_resource_exhausted_with_a_retry_hint_and_the_model_serves_again_once_it_drains()
    {
        var held = await HeldModel.StartAsync(fixture.Served, queued: RequestPathFixture.QueueCapacity);

        var refused = await Assert.ThrowsAsync<RpcException>(() => Client.ClassifyAsync(SmallImage()).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.NotNull(refused.Trailers.GetValue("grpc-retry-pushback-ms"));
        await held.DisposeAsync();
        Assert.Equal(RequestPathFixture.Model, (await Client.ClassifyAsync(SmallImage())).Model);
    }
}
