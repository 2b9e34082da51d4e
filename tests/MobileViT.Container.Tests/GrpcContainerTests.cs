using Google.Protobuf;
using Grpc.Health.V1;
using Grpc.Net.Client;
using MobileViT.Container.Tests.Infrastructure;
using MobileViT.Service.KServe.V2;

namespace MobileViT.Container.Tests;

/// <summary>
/// The gRPC port of the container (the gRPC/KServe feature, endpoint <c>Grpc</c>): the standard gRPC health service that
/// Kubernetes' native gRPC probes call, and KServe V2 classify with the input the model's metadata declares.
/// </summary>
public sealed class GrpcContainerTests(ServiceContainerFixture fixture) : IClassFixture<ServiceContainerFixture>
{
    private GrpcChannel Channel() => GrpcChannel.ForAddress(fixture.Service.GrpcAddress);

    [Fact]
    public async Task Grpc_health_service_reports_serving_for_kubernetes_grpc_probes()
    {
        using var channel = Channel();
        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = "" }, deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Classifies_over_kserve_v2_grpc()
    {
        using var channel = Channel();
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        Assert.True((await client.ServerReadyAsync(new ServerReadyRequest(), deadline: deadline)).Ready);
        Assert.True((await client.ModelReadyAsync(new ModelReadyRequest { Name = ServiceContainer.ModelName }, deadline: deadline)).Ready);

        var metadata = await client.ModelMetadataAsync(new ModelMetadataRequest { Name = ServiceContainer.ModelName }, deadline: deadline);
        var inputs = metadata.Inputs.ToDictionary(i => i.Name);
        Assert.Equal("FP32", inputs["pixel_values"].Datatype);
        Assert.Equal([-1L, 3, 256, 256], inputs["pixel_values"].Shape);
        Assert.Equal("BYTES", inputs["image"].Datatype);
        Assert.Equal(["logits"], metadata.Outputs.Select(o => o.Name));

        // Server-side preprocessing: the encoded JPEG as a BYTES input.
        var request = new ModelInferRequest { ModelName = ServiceContainer.ModelName, Id = "container-test" };
        var tensor = new ModelInferRequest.Types.InferInputTensor { Name = "image", Datatype = "BYTES", Contents = new InferTensorContents() };
        tensor.Shape.Add(1);
        tensor.Contents.BytesContents.Add(ByteString.CopyFrom(TestJpeg.Bytes));
        request.Inputs.Add(tensor);

        var reply = await client.ModelInferAsync(request, deadline: deadline);
        var output = Assert.Single(reply.Outputs);
        Assert.Equal("logits", output.Name);
        Assert.Equal([1L, 1000], output.Shape);
        Assert.Equal(1000, output.Contents.Fp32Contents.Count);
        Assert.All(output.Contents.Fp32Contents, v => Assert.True(float.IsFinite(v)));
    }
}
