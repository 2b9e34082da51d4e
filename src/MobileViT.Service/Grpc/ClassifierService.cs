using Grpc.Core;
using Microsoft.Extensions.Options;
using MobileViT.Inference.Classification;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Models;
using MobileViT.Service.Grpc.V1;
using MobileViT.Service.Hosting;
using ModelEndpoints = MobileViT.Service.Http.ModelEndpoints;

namespace MobileViT.Service.Grpc;

/// <summary><c>mobilevit.v1.Classifier</c>: encoded images in, top-k classes out, through the same batcher as HTTP.</summary>
public sealed class ClassifierService(ModelRegistry registry, ImageClassifier classifier, MobileViTOptions options,
    IOptions<GrpcOptions> grpcOptions) : Classifier.ClassifierBase
{
    public override async Task<ClassifyResponse> Classify(ClassifyRequest request, ServerCallContext context)
    {
        var result = await ClassifyAsync(request.Image, request.Model, request.TopK, context.ToCallOptions(), context.CancellationToken);
        return ClassifierMessages.ToResponse(result);
    }

    public override Task ClassifyStream(IAsyncStreamReader<ClassifyStreamRequest> requestStream, IServerStreamWriter<ClassifyStreamResponse> responseStream,
        ServerCallContext context) =>
        new ClassifyStreamPump(requestStream, responseStream, grpcOptions.Value.MaxInFlightPerStream, context.CancellationToken)
            .RunAsync(async (item, cancellationToken) =>
            {
                var result = await ClassifyAsync(item.Image, item.Model, item.TopK, context.ToCallOptions(item.TimeoutMs), cancellationToken);
                return ClassifierMessages.ToResponse(result);
            });

    public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var response = new ListModelsResponse { DefaultModel = registry.DefaultModelName };
        response.Models.AddRange(registry.Configured.Select(m => ClassifierMessages.ToMessage(ModelEndpoints.Describe(m, registry, options))));
        return Task.FromResult(response);
    }

    private Task<ClassificationResult> ClassifyAsync(Google.Protobuf.ByteString image, string modelName, int topK,
        Inference.Batching.InferenceCallOptions call, CancellationToken cancellationToken)
    {
        var model = registry.ResolveReady(modelName);
        var k = topK == 0 ? ClassifierMessages.DefaultTopK : topK;
        if (k < 1 || k > model.Labels.Count)
            throw new InvalidRequestException($"top_k must be between 1 and {model.Labels.Count} (was {topK}).");
        return classifier.ClassifyAsync(model, image.Memory, k, call, cancellationToken);
    }
}
