using Google.Protobuf;
using Grpc.Health.V1;
using Grpc.Net.Client;
using MobileViT.Container.Tests.Infrastructure;
using MobileViT.Container.Tests.KServe;

namespace MobileViT.Container.Tests;

/// <summary>
/// The gRPC port of the container (the gRPC/KServe feature, endpoint <c>Grpc</c>): the standard gRPC health service that
/// Kubernetes' native gRPC probes call, and KServe V2 classify with the input the model's metadata declares.
/// </summary>
public sealed class GrpcContainerTests(ServiceContainerFixture fixture) : IClassFixture<ServiceContainerFixture>
{
    private GrpcChannel Channel() => GrpcChannel.ForAddress(fixture.Service.GrpcAddress);

    [ServiceFeatureFact(ServiceFeature.Grpc)]
    public async Task Grpc_health_service_reports_serving_for_kubernetes_grpc_probes()
    {
        using var channel = Channel();
        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = "" }, deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [ServiceFeatureFact(ServiceFeature.Grpc)]
    public async Task Classifies_over_kserve_v2_grpc()
    {
        using var channel = Channel();
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        Assert.True((await client.ServerReadyAsync(new ServerReadyRequest(), deadline: deadline)).Ready);
        Assert.True((await client.ModelReadyAsync(new ModelReadyRequest { Name = ServiceContainer.ModelName }, deadline: deadline)).Ready);

        var metadata = await client.ModelMetadataAsync(new ModelMetadataRequest { Name = ServiceContainer.ModelName }, deadline: deadline);
        var input = Assert.Single(metadata.Inputs);
        var request = new ModelInferRequest { ModelName = ServiceContainer.ModelName, Id = "container-test" };
        var tensor = new ModelInferRequest.Types.InferInputTensor { Name = input.Name, Datatype = input.Datatype };
        if (input.Datatype == "BYTES")
        {
            tensor.Shape.Add(1);
            tensor.Contents = new InferTensorContents();
            tensor.Contents.BytesContents.Add(ByteString.CopyFrom(TestJpeg.Bytes));
        }
        else
        {
            Assert.Equal("FP32", input.Datatype);
            var shape = input.Shape.Select(d => d < 0 ? 1 : d).ToArray();
            tensor.Shape.AddRange(shape);
            var random = new Random(5);
            var pixels = new float[shape.Aggregate(1L, (a, b) => a * b)];
            for (var i = 0; i < pixels.Length; i++)
                pixels[i] = (float)random.NextDouble();
            tensor.Contents = new InferTensorContents();
            tensor.Contents.Fp32Contents.AddRange(pixels);
        }
        request.Inputs.Add(tensor);

        var reply = await client.ModelInferAsync(request, deadline: deadline);
        var output = Assert.Single(reply.Outputs);
        var values = reply.RawOutputContents.Count > 0
            ? reply.RawOutputContents[0].Length / 4
            : output.Contents.Fp32Contents.Count;
        Assert.Equal(output.Shape.Aggregate(1L, (a, b) => a * b), values);
        Assert.True(values >= 1000, $"expected the 1000 ImageNet logits or scores, got {values} values");
    }
}
