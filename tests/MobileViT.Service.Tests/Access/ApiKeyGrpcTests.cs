using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using HealthService = Grpc.Health.V1.Health;
using Grpc.Reflection.V1Alpha;
using MobileViT.Inference.Access;
using MobileViT.Inference.Serving;
using MobileViT.Service.Grpc.V1;
using MobileViT.Service.KServe.V2;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Access;

/// <summary>API keys over gRPC against the real server: every protected RPC answers UNAUTHENTICATED to no key and a wrong key and serves a good one; health stays open.</summary>
public sealed class ApiKeyGrpcTests(KeyedServiceFixture fixture) : IClassFixture<KeyedServiceFixture>
{
    private KeyedService Keyed => fixture.Keyed;

    public enum Rpc
    {
        Classify,
        ClassifyStream,
        ListModels,
        ModelInfer,
        ModelMetadata,
        ModelReady,
        ServerMetadata,
        Reflection,
    }

    public static TheoryData<Rpc> ProtectedRpcs => new(Enum.GetValues<Rpc>());

    [Theory]
    [MemberData(nameof(ProtectedRpcs))]
    public async Task A_protected_rpc_refuses_no_key_and_a_wrong_key_and_serves_a_good_one(Rpc rpc)
    {
        var none = await Assert.ThrowsAsync<RpcException>(() => CallAsync(rpc, null));
        var wrong = await Assert.ThrowsAsync<RpcException>(() => CallAsync(rpc, KeyedService.WrongKey));
        await CallAsync(rpc, KeyedService.FileKey);
        await CallAsync(rpc, KeyedService.ConfigKey);

        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        Assert.Contains("API key", none.Status.Detail);
    }

    [Fact]
    public async Task Grpc_health_and_the_V2_liveness_and_readiness_rpcs_need_no_key()
    {
        var health = new HealthService.HealthClient(Keyed.Channel);
        var v2 = new GRPCInferenceService.GRPCInferenceServiceClient(Keyed.Channel);

        var check = await health.CheckAsync(new HealthCheckRequest { Service = "" });
        var live = await v2.ServerLiveAsync(new ServerLiveRequest());
        var ready = await v2.ServerReadyAsync(new ServerReadyRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, check.Status);
        Assert.True(live.Live);
        Assert.True(ready.Ready);
    }

    [Fact]
    public async Task A_refused_classify_is_counted_and_an_unknown_model_is_not_revealed()
    {
        var before = Keyed.Requests.ByClient(RequestOutcome.Of(ErrorKind.Unauthenticated), ClientLabel.Unauthenticated);
        var classifier = new Classifier.ClassifierClient(Keyed.Channel);

        var refused = await Assert.ThrowsAsync<RpcException>(() => classifier.ClassifyAsync(
            new ClassifyRequest { Model = "no-such-model", Image = ByteString.CopyFrom(TestImages.Png(32, 32)) }).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Equal(before + 1, Keyed.Requests.ByClient(RequestOutcome.Of(ErrorKind.Unauthenticated), ClientLabel.Unauthenticated));
    }

    private async Task CallAsync(Rpc rpc, string? key)
    {
        var headers = KeyedService.Bearer(key);
        var image = ByteString.CopyFrom(TestImages.Png(32, 32));
        var classifier = new Classifier.ClassifierClient(Keyed.Channel);
        var v2 = new GRPCInferenceService.GRPCInferenceServiceClient(Keyed.Channel);
        switch (rpc)
        {
            case Rpc.Classify:
                await classifier.ClassifyAsync(new ClassifyRequest { Model = KeyedService.Model, Image = image }, headers);
                break;
            case Rpc.ClassifyStream:
            {
                using var call = classifier.ClassifyStream(headers);
                await SendAsync(call.RequestStream, new ClassifyStreamRequest { Id = "1", Model = KeyedService.Model, Image = image });
                Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
                Assert.Equal(ClassifyStreamResponse.OutcomeOneofCase.Result, call.ResponseStream.Current.OutcomeCase);
                break;
            }
            case Rpc.ListModels:
                Assert.NotEmpty((await classifier.ListModelsAsync(new ListModelsRequest(), headers)).Models);
                break;
            case Rpc.ModelInfer:
                await v2.ModelInferAsync(new ModelInferRequest
                {
                    ModelName = KeyedService.Model,
                    Inputs =
                    {
                        new ModelInferRequest.Types.InferInputTensor
                        {
                            Name = "image", Datatype = "BYTES", Shape = { 1 }, Contents = new InferTensorContents { BytesContents = { image } },
                        },
                    },
                }, headers);
                break;
            case Rpc.ModelMetadata:
                await v2.ModelMetadataAsync(new ModelMetadataRequest { Name = KeyedService.Model }, headers);
                break;
            case Rpc.ModelReady:
                await v2.ModelReadyAsync(new ModelReadyRequest { Name = KeyedService.Model }, headers);
                break;
            case Rpc.ServerMetadata:
                await v2.ServerMetadataAsync(new ServerMetadataRequest(), headers);
                break;
            case Rpc.Reflection:
            {
                using var call = new ServerReflection.ServerReflectionClient(Keyed.Channel).ServerReflectionInfo(headers);
                await SendAsync(call.RequestStream, new ServerReflectionRequest { ListServices = "" });
                Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
                Assert.Contains(call.ResponseStream.Current.ListServicesResponse.Service, s => s.Name == "mobilevit.v1.Classifier");
                break;
            }
        }
    }

    /// <summary>
    /// Sends one message and completes the request stream. A server that refuses the call may end it before the message
    /// is written; grpc-dotnet then fails the write with CANCELLED, and the call's own status is what the response
    /// stream reports, so a failed write is left for the read to surface.
    /// </summary>
    private static async Task SendAsync<T>(IClientStreamWriter<T> writer, T message)
    {
        try
        {
            await writer.WriteAsync(message);
            await writer.CompleteAsync();
        }
        catch (RpcException)
        {
        }
    }
}
