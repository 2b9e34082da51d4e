using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using MobileViT.Service.Grpc.V1;
using MobileViT.Service.KServe.V2;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Grpc;

/// <summary>Once the service drains for shutdown, gRPC calls are UNAVAILABLE and health says NOT_SERVING.</summary>
public sealed class GrpcDrainingTests
{
    [Fact]
    public async Task While_draining_calls_are_unavailable_and_health_is_not_serving()
    {
        await using var service = await RunningService.StartAsync(RunningService.SmallModel());
        using var channel = service.CreateGrpcChannel();
        var classifier = new Classifier.ClassifierClient(channel);
        var health = new global::Grpc.Health.V1.Health.HealthClient(channel);
        var image = ByteString.CopyFrom(TestImages.Png(32, 32));
        await classifier.ClassifyAsync(new ClassifyRequest { Image = image });

        await service.Registry.DrainAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => classifier.ClassifyAsync(new ClassifyRequest { Image = image }).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        e = await Assert.ThrowsAsync<RpcException>(() => new GRPCInferenceService.GRPCInferenceServiceClient(channel)
            .ModelInferAsync(new ModelInferRequest { ModelName = "tiny" }).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.False((await new GRPCInferenceService.GRPCInferenceServiceClient(channel).ServerReadyAsync(new ServerReadyRequest())).Ready);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest())).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = "mobilevit.v1.Classifier" })).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "liveness" })).Status);
    }
}
